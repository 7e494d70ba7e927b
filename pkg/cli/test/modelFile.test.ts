import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { AnomalyDetector, SeriesBuffer } from '@telemetry-analyzer/engine';
import { InputError } from '../src/errors';
import { JsonMemberReader } from '../src/input/jsonMemberReader';
import { writeAtomically } from '../src/output/atomicOutput';
import {
  GROUPED_FORMAT,
  GROUPED_FORMAT_VERSION,
  loadModel,
  modelPieces,
  writeModel,
  type ModelBundle,
} from '../src/pipeline/modelFile';
import { tempDir } from './cliHarness';

/** The serialisation before models were written in pieces (one JSON.stringify of the whole file): the reference. */
function singleStringSerialisation(bundle: ModelBundle): string {
  if (bundle.groupBy === undefined) {
    return JSON.stringify(bundle.detectors.get('')!.toJSON());
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

/** A small detector: `rows` rows of two metrics, different per seed. */
function trainDetector(seed: number, rows = 40): AnomalyDetector {
  const buffer = new SeriesBuffer(['a', 'b']);
  for (let i = 0; i < rows; i++) {
    buffer.push(1_704_067_200_000 + 60_000 * i, [10 + Math.sin(i * 0.7 + seed), 5 + ((i * 7 + seed * 3) % 11) / 10]);
  }
  return AnomalyDetector.train(buffer.table(), { forest: { nEstimators: 20, seed } });
}

/** Group names that exercise the JSON text of keys and JSON.stringify's key order (integer-like keys first). */
const ODD_NAMES = ['host-b', '10', 'h"quoted"', 'back\\slash', '2', 'é中😀', 'line\u2028sep', 'tab\t', 'host-a'];

function groupedBundle(groups: number): ModelBundle {
  const detectors = new Map<string, AnomalyDetector>();
  for (let g = 0; g < groups; g++) {
    detectors.set(g < ODD_NAMES.length ? ODD_NAMES[g] : `h${g}`, trainDetector(g + 1));
  }
  return { groupBy: 'host', detectors };
}

function detectorsJson(bundle: ModelBundle): Array<[string, unknown]> {
  return [...bundle.detectors].map(([group, detector]) => [group, detector.toJSON()]);
}

/** writeModel through the real atomic writer into `path`, noting each piece it writes in `pieces`. */
function writeModelNoting(directory: string, path: string, bundle: ModelBundle, pieces: string[]): Promise<void> {
  return writeAtomically(directory, async (output) => {
    const writer = output.open(path);
    const write = writer.write.bind(writer);
    jest.spyOn(writer, 'write').mockImplementation((text) => {
      pieces.push(text as string);
      return write(text);
    });
    await writeModel(writer, bundle);
  });
}

describe('model files written in pieces', () => {
  it('writes a single detector byte for byte as one JSON.stringify did, and reads it back', async () => {
    const bundle: ModelBundle = { detectors: new Map([['', trainDetector(7, 300)]]) };
    const directory = tempDir();
    const path = join(directory, 'model.json');
    await writeAtomically(directory, (output) => writeModel(output.open(path), bundle));
    expect(readFileSync(path, 'utf8')).toBe(singleStringSerialisation(bundle));
    expect([...modelPieces(bundle)].join('')).toBe(singleStringSerialisation(bundle));
    for (const readWholeMaxBytes of [undefined, 0]) {
      const loaded = loadModel(path, readWholeMaxBytes);
      expect(loaded.groupBy).toBeUndefined();
      expect(detectorsJson(loaded)).toEqual(detectorsJson(bundle));
    }
  });

  it('writes many groups one detector at a time through the real writer, the same bytes as one string', async () => {
    const bundle = groupedBundle(60);
    const directory = tempDir();
    const path = join(directory, 'model.json');
    const pieces: string[] = [];
    await writeModelNoting(directory, path, bundle, pieces);
    const reference = singleStringSerialisation(bundle);
    expect(readFileSync(path, 'utf8')).toBe(reference);
    expect(pieces.join('')).toBe(reference);
    // The pieces path: no piece holds more than one group's member (its name and detector), so the file is never one
    // string.
    const member = ([group, d]: [string, AnomalyDetector]) =>
      JSON.stringify(group).length + 2 + JSON.stringify(d.toJSON()).length;
    const oneDetector = Math.max(...[...bundle.detectors].map(member));
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(oneDetector);
    expect(pieces.length).toBeGreaterThan(bundle.detectors.size);
    expect(reference.length).toBeGreaterThan(10 * oneDetector);
  });

  it('reads a many-group file a value at a time the same as whole, in the same group order', async () => {
    const bundle = groupedBundle(40);
    const directory = tempDir();
    const path = join(directory, 'model.json');
    await writeAtomically(directory, (output) => writeModel(output.open(path), bundle));
    const whole = loadModel(path);
    const byValues = loadModel(path, 0); // every file counts as large: the reader that takes a value at a time
    expect(byValues.groupBy).toBe('host');
    expect([...byValues.detectors.keys()]).toEqual([...whole.detectors.keys()]);
    expect([...whole.detectors.keys()].slice(0, 2)).toEqual(['2', '10']); // JSON.parse's order
    expect(detectorsJson(byValues)).toEqual(detectorsJson(whole));
    expect(new Map(detectorsJson(byValues))).toEqual(new Map(detectorsJson(bundle)));
    expect([...modelPieces(byValues)].join('')).toBe(readFileSync(path, 'utf8'));
  });

  it('keeps a group named "__proto__" (a plain object took it for its prototype and dropped it)', async () => {
    const bundle: ModelBundle = {
      groupBy: 'host',
      detectors: new Map([
        ['__proto__', trainDetector(1)],
        ['h1', trainDetector(2)],
      ]),
    };
    const directory = tempDir();
    const path = join(directory, 'model.json');
    await writeAtomically(directory, (output) => writeModel(output.open(path), bundle));
    for (const readWholeMaxBytes of [undefined, 0]) {
      expect([...loadModel(path, readWholeMaxBytes).detectors.keys()]).toEqual(['__proto__', 'h1']);
    }
  });

  it('leaves no model file, and the previous one whole, when writing fails midway', async () => {
    const directory = tempDir();
    const path = join(directory, 'model.json');
    writeFileSync(path, 'the previous model\n');
    const bundle = groupedBundle(70);
    // The 65th detector cannot be saved (toJSON throws): over a MiB of the file is written by then.
    [...bundle.detectors.values()][64].releaseTrainingData();
    const pieces: string[] = [];
    const run = writeModelNoting(directory, path, bundle, pieces);
    await expect(run).rejects.toThrow(/released its training data/);
    expect(pieces.join('').length).toBeGreaterThan(1 << 20); // past the writer's buffer: bytes reached the file
    expect(readdirSync(directory)).toEqual(['model.json']);
    expect(readFileSync(path, 'utf8')).toBe('the previous model\n');
  });
});

describe('large model files read a value at a time', () => {
  let directory: string;
  let text: string;
  beforeAll(async () => {
    directory = tempDir();
    const path = join(directory, 'model.json');
    await writeAtomically(directory, (output) => writeModel(output.open(path), groupedBundle(12)));
    text = readFileSync(path, 'utf8');
  });

  /** loadModel's error for `content`, read as a large file. */
  function errorFor(content: string): InputError {
    const path = join(directory, 'broken.json');
    writeFileSync(path, content);
    try {
      loadModel(path, 0);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return error as InputError;
    }
    throw new Error('loadModel accepted a broken file');
  }

  it('says where invalid JSON is, as JSON.parse would', () => {
    const truncated = errorFor(text.slice(0, text.length - 1000));
    expect(truncated.reason).toBe('not a model file: invalid JSON (Unexpected end of JSON input)');
    const trailing = errorFor(`${text}\n x`);
    expect(trailing.reason).toBe(
      `not a model file: invalid JSON (Unexpected non-whitespace character after JSON at position ${text.length + 2})`
    );
    expect(trailing.location).toEqual({ source: join(directory, 'broken.json'), line: 2, column: 2 });
    const missingColon = errorFor(text.replace('"detectors":{"2":', '"detectors":{"2" '));
    expect(missingColon.reason).toMatch(
      /^not a model file: invalid JSON \(Expected ':' after property name in JSON at position \d+\)$/
    );
    expect(errorFor('').reason).toBe('not a model file: invalid JSON (Unexpected end of JSON input)');
  });

  it('refuses what the whole-file reader refuses, in the same words', () => {
    for (const broken of [
      text.replace(`"formatVersion":${GROUPED_FORMAT_VERSION}`, '"formatVersion":2'),
      text.replace('"groupBy":"host"', '"groupBy":3'),
      text.replace('"kind":"', '"kind":"x'),
      '[1, 2]',
      // A review: detect blamed --columns nobody gave, stream skipped every row.
      `{"format":"telemetry-analyzer/grouped-detectors","formatVersion":${GROUPED_FORMAT_VERSION},"groupBy":"host","detectors":{}}`,
    ]) {
      const path = join(directory, 'broken.json');
      writeFileSync(path, broken);
      let whole: unknown;
      try {
        loadModel(path);
      } catch (error) {
        whole = error;
      }
      expect(whole).toBeInstanceOf(InputError);
      expect(errorFor(broken).message).toBe((whole as InputError).message);
    }
    const empty = join(directory, 'empty-groups.json');
    writeFileSync(
      empty,
      `{"format":"telemetry-analyzer/grouped-detectors","formatVersion":1,"groupBy":"host","detectors":{}}`
    );
    expect(() => loadModel(empty)).toThrow(
      `${empty}: not a usable model: a grouped model without any detector: it has nothing to score with`
    );
  });
});

describe('JsonMemberReader', () => {
  it('finds each value across chunk boundaries: escapes, brackets in strings, multi-byte characters', () => {
    const document = {
      a: 'x\\"}]{[',
      'k\\"y': { 'é中😀': ['\\', '"', 1.5e-7, true, null, { n: -0.25 }], s: 'a\u2028b' },
      n: 12345,
      empty: {},
      list: [],
    };
    const path = join(tempDir(), 'doc.json');
    writeFileSync(path, JSON.stringify(document, null, 1));
    for (const chunkBytes of [1, 2, 3, 7, 64]) {
      const fd = openSync(path, 'r');
      try {
        const reader = new JsonMemberReader(fd, chunkBytes);
        const read: Record<string, unknown> = {};
        reader.openObject();
        for (let key = reader.nextKey(); key !== undefined; key = reader.nextKey()) {
          if (key === 'k\\"y') {
            const inner: Record<string, unknown> = {};
            reader.openObject();
            for (let member = reader.nextKey(); member !== undefined; member = reader.nextKey()) {
              inner[member] = reader.readValue();
            }
            read[key] = inner;
          } else {
            read[key] = reader.readValue();
          }
        }
        reader.end();
        expect(read).toEqual(document);
      } finally {
        closeSync(fd);
      }
    }
  });
});
