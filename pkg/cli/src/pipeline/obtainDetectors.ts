/**
 * The detectors a run scores with: loaded from --model, or trained on the first --train-fraction of every group's
 * rows, or on --train-file.
 */
import { AnomalyDetector } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import { DEFAULT_MAX_GROUPS, type ColumnRoles } from '../input/inputSchema';
import { partialRowsScored } from '../input/rowReader';
import { scanInput, type ScanResult } from '../input/scanInput';
import type { DetectionSettings } from './detectionOptions';
import { openReopenableInput, type ReopenableInput } from './inputFile';
import type { ModelBundle } from './modelFile';
import { someNames } from './someNames';
import { collectTrainingRows, trainDetectors, trainingRowCount } from './training';

export interface ObtainedDetectors {
  bundle: ModelBundle;
  /** Training rows per group (complete rows the model was fitted on); empty for a loaded model. */
  trainingRows: Map<string, number>;
  /** Training rows left out for a missing value. */
  trainingRowsMissing: Map<string, number>;
  /** What training found worth a warning (constant columns, variation a raw model cannot see), for the caller. */
  warnings: string[];
}

/** With --model the metric columns and the group column are the model's; check they fit the options. */
export function rolesForModel(bundle: ModelBundle, roles: ColumnRoles): ColumnRoles {
  const detectors = [...bundle.detectors.values()];
  const columns = detectors[0]?.columns ?? [];
  if (detectors.some((detector) => detector.columns.join('\u0000') !== columns.join('\u0000'))) {
    throw new InputError({ source: '--model' }, 'the detectors of the grouped model use different columns');
  }
  if (roles.columns && roles.columns.join(',') !== columns.join(',')) {
    throw new InputError(
      { source: '--columns' },
      `the model was trained on columns ${columns.join(',')}; leave --columns out or match it`
    );
  }
  if (roles.groupBy !== undefined && roles.groupBy !== bundle.groupBy) {
    throw new InputError(
      { source: '--group-by' },
      bundle.groupBy === undefined ? 'the model has no groups' : `the model groups by "${bundle.groupBy}"`
    );
  }
  // As many groups as the model has detectors for, whatever --max-groups says: the model was trained on them.
  const maxGroups = Math.max(roles.maxGroups ?? DEFAULT_MAX_GROUPS, bundle.detectors.size);
  return { ...roles, columns: [...columns], groupBy: bundle.groupBy, maxGroups };
}

/** The detectors of a model file (loadModel), checked against the input's groups. */
export function loadModelForScan(
  bundle: ModelBundle,
  scan: ScanResult,
  contaminationGiven: boolean,
  settings: DetectionSettings
): ObtainedDetectors {
  const without = [...scan.groups].filter(([group]) => !bundle.detectors.has(group));
  // A model with no detector for some of the input's groups (one a run wrote while a group was too short to train
  // on) scores the others, the rest left untrained as that run left them; --strict, or a model that knows none of
  // the input's groups (the wrong model, surely), is refused.
  if (without.length > 0 && (settings.strict || without.length === scan.groups.size)) {
    const [group, groupScan] = without[0];
    throw new InputError(
      { source: scan.schema.source, line: groupScan.firstLine, column: scan.schema.groupIndex + 1 },
      `the model has no detector for group "${group}" (it knows ${someNames([...bundle.detectors.keys()])})`
    );
  }
  if (contaminationGiven) {
    bundle.detectors.forEach((detector) => detector.setContamination(settings.contamination));
  }
  const warnings =
    without.length === 0
      ? []
      : [
          `the model has no detector for ${without.length} group${without.length > 1 ? 's' : ''} of the input ` +
            `(${someNames(without.map(([group]) => group))}): their rows are not scored (status untrained); ` +
            '--strict refuses them',
        ];
  return { bundle, trainingRows: new Map(), trainingRowsMissing: new Map(), warnings };
}

export async function trainForScan(
  input: ReopenableInput,
  scan: ScanResult,
  settings: DetectionSettings
): Promise<ObtainedDetectors> {
  let trainingInput = input;
  let trainingScan = scan;
  let wanted = new Map(
    [...scan.groups].map(([group, g]) => [
      group,
      trainingRowCount(g.rows, settings.trainFraction, settings.maxTrainRows),
    ])
  );
  if (settings.trainFile !== undefined) {
    trainingInput = await openReopenableInput(settings.trainFile, undefined);
    trainingScan = await scanInput(
      trainingInput.open,
      trainingInput.format,
      trainingInput.source,
      { ...settings.roles, columns: scan.schema.metricNames },
      settings.quiet
    );
    for (const [group, groupScan] of scan.groups) {
      if (!trainingScan.groups.has(group)) {
        throw new InputError(
          { source: scan.schema.source, line: groupScan.firstLine, column: scan.schema.groupIndex + 1 },
          `--train-file ${settings.trainFile} has no rows of group "${group}"`
        );
      }
    }
    wanted = new Map(
      [...scan.groups.keys()].map((group) => [
        group,
        Math.min(trainingScan.groups.get(group)!.rows, settings.maxTrainRows),
      ])
    );
  }
  const sets = await collectTrainingRows(
    trainingInput.open,
    trainingInput.format,
    trainingScan.schema,
    wanted,
    settings.quiet,
    partialRowsScored(settings.detector.mode, false)
  );
  const warnings: string[] = [];
  const detectors: Map<string, AnomalyDetector> = trainDetectors(sets, trainingScan.schema, settings, warnings);
  return {
    bundle: { groupBy: settings.roles.groupBy, detectors },
    trainingRows: new Map([...sets].map(([group, set]) => [group, set.rows.length])),
    trainingRowsMissing: new Map([...sets].map(([group, set]) => [group, set.rowsMissing])),
    warnings,
  };
}
