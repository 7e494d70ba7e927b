/**
 * Model files. Without --group-by a model file is exactly the engine's AnomalyDetector JSON (so the proxy and the
 * panel read it too); with --group-by it maps each group to such a detector:
 *   { "format": "telemetry-analyzer/grouped-detectors", "formatVersion": 1, "groupBy": "host",
 *     "detectors": { "host-a": {...detector...}, ... } }
 */
import { readFileSync } from 'fs';
import { AnomalyDetector, ModelFormatError } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';

export const GROUPED_FORMAT = 'telemetry-analyzer/grouped-detectors';
export const GROUPED_FORMAT_VERSION = 1;

export interface ModelBundle {
  /** Column the groups come from; undefined for a single detector (whose group key is ''). */
  groupBy?: string;
  detectors: Map<string, AnomalyDetector>;
}

export function serializeModel(bundle: ModelBundle): string {
  if (bundle.groupBy === undefined) {
    const single = bundle.detectors.get('');
    if (!single) {
      throw new Error('a model without groups needs the detector of group ""');
    }
    return JSON.stringify(single.toJSON());
  }
  const detectors: Record<string, unknown> = {};
  for (const [group, detector] of bundle.detectors) {
    detectors[group] = detector.toJSON();
  }
  return JSON.stringify({
    format: GROUPED_FORMAT,
    formatVersion: GROUPED_FORMAT_VERSION,
    groupBy: bundle.groupBy,
    detectors,
  });
}

/** Reads a model file; every problem (missing, not JSON, corrupt, unknown version) is an InputError on the file. */
export function loadModel(path: string): ModelBundle {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      { source: path },
      code === 'ENOENT' ? 'no such model file' : `cannot read the model file (${code})`
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      jsonErrorLocation(path, text, error as Error),
      `not a model file: invalid JSON (${(error as Error).message})`
    );
  }
  try {
    return bundleFromJson(json);
  } catch (error) {
    if (error instanceof ModelFormatError || error instanceof InputError) {
      throw new InputError(
        { source: path },
        `not a usable model: ${error instanceof InputError ? error.reason : error.message}`
      );
    }
    // fromJSON validates field by field; anything it did not foresee still means a broken file, not a CLI bug.
    throw new InputError({ source: path }, `not a usable model: ${(error as Error).message}`);
  }
}

function bundleFromJson(json: unknown): ModelBundle {
  const record = json as Record<string, unknown> | null;
  if (record !== null && typeof record === 'object' && record.format === GROUPED_FORMAT) {
    if (record.formatVersion !== GROUPED_FORMAT_VERSION) {
      throw new InputError({ source: '' }, `unsupported grouped model version ${JSON.stringify(record.formatVersion)}`);
    }
    const detectorsJson = record.detectors as Record<string, unknown> | undefined;
    if (typeof record.groupBy !== 'string' || !detectorsJson || typeof detectorsJson !== 'object') {
      throw new InputError({ source: '' }, 'a grouped model needs "groupBy" and "detectors"');
    }
    const detectors = new Map<string, AnomalyDetector>();
    for (const [group, detectorJson] of Object.entries(detectorsJson)) {
      detectors.set(group, AnomalyDetector.fromJSON(detectorJson));
    }
    return { groupBy: record.groupBy, detectors };
  }
  return { detectors: new Map([['', AnomalyDetector.fromJSON(json)]]) };
}

/** JSON.parse reports "at position N" (Node 20: "... in JSON at position N"); turn it into line:column. */
function jsonErrorLocation(
  source: string,
  text: string,
  error: Error
): { source: string; line?: number; column?: number } {
  const position = /position (\d+)/.exec(error.message);
  if (!position) {
    return { source };
  }
  const before = text.slice(0, Number(position[1]));
  const lines = before.split('\n');
  return { source, line: lines.length, column: lines[lines.length - 1].length + 1 };
}
