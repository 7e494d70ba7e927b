/**
 * Model files. Without --group-by a model file is exactly the engine's AnomalyDetector JSON (so the proxy and the
 * panel read it too); with --group-by it maps each group to such a detector:
 *   { "format": "telemetry-analyzer/grouped-detectors", "formatVersion": 1, "groupBy": "host",
 *     "detectors": { "host-a": {...detector...}, ... } }
 * Many groups make a file longer than V8's longest string (~512 MiB: a few hundred kB per group), so a model is
 * written as pieces, one group's detector JSON'd after the other (writeModel), and a large file is read the same
 * way (loadModel): neither ever holds the whole file's text.
 */
import { constants } from 'buffer';
import { closeSync, fstatSync, openSync, readFileSync } from 'fs';
import { AnomalyDetector, ModelFormatError } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import { JsonMemberReader, JsonSyntaxError, JsonValueTooLongError, locateByteOffset } from '../input/jsonMemberReader';

export const GROUPED_FORMAT = 'telemetry-analyzer/grouped-detectors';
export const GROUPED_FORMAT_VERSION = 1;

/**
 * Model files larger than this are read a value at a time (JsonMemberReader), not as one string: a file over ~512
 * MiB cannot be one, and a smaller one would hold its text and its parsed JSON beside the detectors.
 */
export const READ_WHOLE_MODEL_MAX_BYTES = 64 << 20;

export interface ModelBundle {
  /** Column the groups come from; undefined for a single detector (whose group key is ''). */
  groupBy?: string;
  detectors: Map<string, AnomalyDetector>;
}

/**
 * The model file's text as pieces, each made when it is asked for: the envelope, then one group's detector JSON after
 * the other (their concatenation is JSON.stringify of the whole file). The groups go in JSON's own member order
 * (integer-like names first, ascending, then the others as inserted), the order in which JSON.parse reads them back,
 * so a file read whole and one read a value at a time list their groups alike.
 */
export function* modelPieces(bundle: ModelBundle): Generator<string, void, undefined> {
  if (bundle.groupBy === undefined) {
    const single = bundle.detectors.get('');
    if (!single) {
      throw new Error('a model without groups needs the detector of group ""');
    }
    yield JSON.stringify(single.toJSON());
    return;
  }
  yield (
    `{"format":${JSON.stringify(GROUPED_FORMAT)},"formatVersion":${GROUPED_FORMAT_VERSION},` +
    `"groupBy":${JSON.stringify(bundle.groupBy)},"detectors":{`
  );
  // Object.keys of an object with the groups as members: JSON's member order ("__proto__" a member like any other).
  const groups = Object.keys(Object.fromEntries([...bundle.detectors.keys()].map((group) => [group, 0])));
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    yield `${i === 0 ? '' : ','}${JSON.stringify(group)}:${JSON.stringify(bundle.detectors.get(group)!.toJSON())}`;
  }
  yield '}}';
}

/**
 * Writes the model file's text piece by piece (modelPieces) to `output`, a file of an AtomicOutput: its size is not
 * bounded by the longest string, and only one group's detector JSON is held at a time.
 */
export async function writeModel(output: { write(text: string): Promise<void> }, bundle: ModelBundle): Promise<void> {
  for (const piece of modelPieces(bundle)) {
    await output.write(piece);
  }
}

/**
 * Reads a model file; every problem (missing, not JSON, corrupt, unknown version) is an InputError on the file.
 * @param readWholeMaxBytes a larger file is read a value at a time [READ_WHOLE_MODEL_MAX_BYTES]
 */
export function loadModel(path: string, readWholeMaxBytes = READ_WHOLE_MODEL_MAX_BYTES): ModelBundle {
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const stat = fstatSync(fd);
    size = stat.isFile() ? stat.size : 0; // a pipe or a device says 0: read as a whole, as before
  } catch (error) {
    closeSync(fd);
    throw cannotRead(path, error);
  }
  if (size <= readWholeMaxBytes) {
    closeSync(fd);
    return loadWholeModel(path);
  }
  try {
    return usableModel(path, () => readModelByValues(path, fd));
  } finally {
    closeSync(fd);
  }
}

function cannotRead(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  return new InputError(
    { source: path },
    code === 'ENOENT' ? 'no such model file' : `cannot read the model file (${code})`
  );
}

/** A file of at most readWholeMaxBytes: one string, one JSON.parse. */
function loadWholeModel(path: string): ModelBundle {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw cannotRead(path, error);
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
  return usableModel(path, () => bundleFromJson(json));
}

/** The bundle `read` makes, its model errors said against the file. */
function usableModel(path: string, read: () => ModelBundle): ModelBundle {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError && error.location.source === path) {
      throw error; // already said against the file (invalid JSON)
    }
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

/**
 * A large file, a value at a time: the top-level object's members, and those of its "detectors" object one by one,
 * each group's detector made from its JSON as soon as that is read (when the envelope before it says the file is a
 * grouped model, as writeModel writes it; else once the whole file is read). Checks what bundleFromJson checks.
 */
function readModelByValues(path: string, fd: number): ModelBundle {
  const reader = new JsonMemberReader(fd);
  const record: Record<string, unknown> = {};
  /** The members of "detectors" when it is an object: each group's detector, or its JSON while not yet known. */
  let detectors: Map<string, unknown> | undefined;
  try {
    if (!reader.valueIsObject()) {
      // Not a model (both kinds are objects): read as JSON.parse would, for the same message.
      const json = reader.readValue();
      reader.end();
      return bundleFromJson(json);
    }
    reader.openObject();
    for (let key = reader.nextKey(); key !== undefined; key = reader.nextKey()) {
      if (key === 'detectors' && reader.valueIsObject()) {
        const grouped = isGroupedEnvelope(record);
        detectors = new Map();
        reader.openObject();
        for (let group = reader.nextKey(); group !== undefined; group = reader.nextKey()) {
          const json = reader.readValue();
          detectors.set(group, grouped ? AnomalyDetector.fromJSON(json) : json);
        }
        defineMember(record, key, detectors);
      } else {
        defineMember(record, key, reader.readValue());
        if (key === 'detectors') {
          detectors = undefined; // a later member of that name replaces an earlier one, as in JSON.parse
        }
      }
    }
    reader.end();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      const { line, column, position } = locateByteOffset(fd, error.byteOffset);
      const where = error.atPosition === null ? '' : `${error.atPosition}${position}`;
      throw new InputError({ source: path, line, column }, `not a model file: invalid JSON (${error.message}${where})`);
    }
    if (error instanceof JsonValueTooLongError) {
      const { line, column } = locateByteOffset(fd, error.byteOffset);
      throw new InputError(
        { source: path, line, column },
        `cannot read the model file: one of its JSON values is ${error.bytes} bytes, longer than the longest ` +
          `string Node.js can hold (${constants.MAX_STRING_LENGTH} characters)`
      );
    }
    throw error;
  }
  if (detectors !== undefined) {
    // In JSON.parse's order (integer-like keys first), the order the file was read as a whole gives.
    const members: Record<string, unknown> = Object.create(null);
    for (const [group, detector] of detectors) {
      members[group] = detector;
    }
    record.detectors = members;
  }
  return bundleFromJson(record);
}

/** Sets a member as JSON.parse does: "__proto__" too is a plain member. */
function defineMember(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Whether the members read so far make a grouped model's envelope, so that its detectors can be made as read. */
function isGroupedEnvelope(record: Record<string, unknown>): boolean {
  return (
    record.format === GROUPED_FORMAT &&
    record.formatVersion === GROUPED_FORMAT_VERSION &&
    typeof record.groupBy === 'string'
  );
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
      // readModelByValues may have made it already
      detectors.set(
        group,
        detectorJson instanceof AnomalyDetector ? detectorJson : AnomalyDetector.fromJSON(detectorJson)
      );
    }
    if (detectors.size === 0) {
      // It would score nothing: detect blamed --columns nobody gave, stream skipped every row (a review).
      throw new InputError({ source: '' }, 'a grouped model without any detector: it has nothing to score with');
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
