/** `train`: check the input, fit on its training rows, write the model file atomically. */
import { dirname } from 'path';
import { columnWarnings } from '../input/columnWarnings';
import { partialRowsScored } from '../input/rowReader';
import { scanInput } from '../input/scanInput';
import { writeAtomically } from '../output/atomicOutput';
import { printWarnings } from '../output/printWarnings';
import type { DetectionSettings } from './detectionOptions';
import { openReopenableInput } from './inputFile';
import { writeModel } from './modelFile';
import { trainForScan } from './obtainDetectors';

export interface TrainOutcome {
  groups: number;
  trainingRows: number;
  features: string[];
}

export async function runTrain(
  input: string,
  format: string | undefined,
  modelPath: string,
  settings: DetectionSettings
): Promise<TrainOutcome> {
  const opened = await openReopenableInput(input, format);
  try {
    const scan = await scanInput(opened.open, opened.format, opened.source, settings.roles, settings.quiet);
    const { bundle, trainingRows, warnings } = await trainForScan(opened, scan, settings);
    if (!settings.quiet) {
      const partialRows = partialRowsScored(settings.detector.mode, false);
      printWarnings([...columnWarnings(scan, { partialRows, online: false }), ...warnings], undefined);
    }
    await writeAtomically(dirname(modelPath), (output) => writeModel(output.open(modelPath), bundle), [input]);
    return {
      groups: bundle.detectors.size,
      trainingRows: [...trainingRows.values()].reduce((sum, n) => sum + n, 0),
      features: [...bundle.detectors.values()][0].featureNames,
    };
  } finally {
    opened.close();
  }
}
