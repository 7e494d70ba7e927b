/**
 * Trained models on disk, one JSON file per model named by its key (a sha256 hex digest), so a restarted proxy
 * serves without retraining. Writes are atomic (temporary file + rename); unreadable files are ignored with a log line.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FORMAT = 'telemetry-analyzer-proxy-model';
const VERSION = 1;

/** What the store keeps about a model; `detector` is the engine's AnomalyDetector.toJSON(). */
export interface StoredModel {
  key: string;
  /** Human-readable identity (upstream, expression, labels), for operators reading the files. */
  description: string;
  trainedAt: number;
  trainStart: number;
  trainEnd: number;
  detector: unknown;
}

export interface StoreLogger {
  warn(object: object, message: string): void;
}

export class ModelStore {
  constructor(
    readonly directory: string,
    private readonly log: StoreLogger
  ) {}

  fileFor(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) {
      throw new Error(`model keys are sha256 hex digests, got "${key}"`);
    }
    return join(this.directory, `${key}.json`);
  }

  async save(model: StoredModel): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const file = this.fileFor(model.key);
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const content = JSON.stringify({ format: FORMAT, version: VERSION, ...model });
    try {
      await writeFile(temporary, content, 'utf8');
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  /** The stored model, or undefined when absent, unreadable or not this key's (each non-absent case logged). */
  async load(key: string): Promise<StoredModel | undefined> {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn({ file, reason: (error as Error).message }, 'ignoring unreadable model file');
      }
      return undefined;
    }
    try {
      const json = JSON.parse(text) as Partial<StoredModel> & { format?: string; version?: number };
      if (json.format !== FORMAT || json.version !== VERSION) {
        throw new Error(`not a ${FORMAT} v${VERSION} file`);
      }
      if (json.key !== key) {
        throw new Error('the file holds another key');
      }
      if (
        typeof json.trainedAt !== 'number' ||
        typeof json.trainStart !== 'number' ||
        typeof json.trainEnd !== 'number' ||
        json.detector === undefined
      ) {
        throw new Error('fields missing');
      }
      return {
        key,
        description: String(json.description ?? ''),
        trainedAt: json.trainedAt,
        trainStart: json.trainStart,
        trainEnd: json.trainEnd,
        detector: json.detector,
      };
    } catch (error) {
      this.log.warn({ file, reason: (error as Error).message }, 'ignoring corrupt model file');
      return undefined;
    }
  }
}
