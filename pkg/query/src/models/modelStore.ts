/**
 * Trained models on disk, one JSON file per model named by its key (a sha256 hex digest), so a restarted proxy
 * serves without retraining. Writes are atomic (temporary file + rename); unreadable files are ignored with a log line.
 * With retention limits the store keeps within a byte budget and age, least recently used removed first
 * (storeRetention.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RemovedFile, RetentionLimits, StoreRetention } from './storeRetention';

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
  /** See TrainedModel.dataStart (optional: files written before it have none). */
  dataStart?: number;
  /** See TrainedModel.constantColumns (optional: files written before it have none). */
  constantColumns?: string[];
  detector: unknown;
}

export interface StoreLogger {
  warn(object: object, message: string): void;
}

export interface StoreEvents {
  /** Bytes the model files take together after a change. */
  onBytesChange?(bytes: number): void;
  onRemove?(file: RemovedFile): void;
}

const MODEL_FILE = /^([0-9a-f]{64})\.json$/;
/** save()'s temporary file: `<key>.json.<pid>.<12 hex>.tmp`. */
const TEMPORARY_FILE = /^[0-9a-f]{64}\.json\.\d+\.[0-9a-f]{12}\.tmp$/;
/**
 * A temporary file older than this was left by a save that never finished (the process was killed between write and
 * rename): a save renames its file milliseconds after writing it. Age, not the pid, tells: replicas sharing the
 * directory from other containers have pids of their own namespaces.
 */
export const STALE_TEMPORARY_MS = 10 * 60_000;

/** The model store's directory cannot be created or written by this process (checked at start-up). */
export class ModelStoreDirectoryError extends Error {
  constructor(
    readonly directory: string,
    readonly code: string | undefined,
    reason: string
  ) {
    super(
      `modelStore.directory: cannot write models to ${directory} (${reason}): create it and give it to the user ` +
        'the process runs as, or choose another directory'
    );
  }
}

/**
 * Creates the store's directory if need be and checks that this process can write a file there, so that a store
 * it cannot use stops the start-up instead of losing every model it trains (an install review: run as another
 * user, the proxy started and logged a warning per model, each lost at the next restart).
 */
export async function checkStoreDirectory(directory: string): Promise<void> {
  // Named like save()'s temporary files: one left by a crash between write and unlink is removed as stale.
  const probe = join(directory, `${'0'.repeat(64)}.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(directory, { recursive: true });
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new ModelStoreDirectoryError(directory, e.code, e.code ?? e.message);
  }
}

export class ModelStore {
  private readonly retention?: StoreRetention;
  private scanned?: Promise<void>;

  /** Without `limits` the store keeps every file (as before retention existed). */
  constructor(
    readonly directory: string,
    private readonly log: StoreLogger,
    private readonly limits?: RetentionLimits,
    private readonly events: StoreEvents = {},
    private readonly now: () => number = Date.now
  ) {
    this.retention = limits && new StoreRetention(limits);
  }

  /** Bytes of the model files the store keeps (0 without retention limits). */
  get bytes(): number {
    return this.retention?.bytes ?? 0;
  }

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
    const bytes = Buffer.byteLength(content);
    if (this.limits && bytes > this.limits.maxBytes) {
      // Alone over the whole budget: never written (it would be the one file kept, over the budget), and counted
      // as a removal for the budget; the model still serves from memory.
      this.log.warn({ bytes, maxBytes: this.limits.maxBytes }, 'model file larger than modelStore.maxBytes: not saved');
      this.events.onRemove?.({ key: model.key, reason: 'bytes' });
      return;
    }
    try {
      await writeFile(temporary, content, 'utf8');
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    if (this.retention) {
      await this.scanOnce();
      this.retention.use(model.key, bytes, this.now());
      await this.removeDue(model.key);
    }
  }

  /** Learns the files already in the directory (least recently modified first) and applies the limits to them. */
  scanOnce(): Promise<void> {
    return (this.scanned ??= (async () => {
      const names = await readdir(this.directory).catch(() => [] as string[]);
      await this.removeStaleTemporaries(names.filter((name) => TEMPORARY_FILE.test(name)));
      const files = await Promise.all(
        names.map(async (name) => {
          const key = MODEL_FILE.exec(name)?.[1];
          const info = key ? await stat(join(this.directory, name)).catch(() => undefined) : undefined;
          return key && info ? { key, bytes: info.size, usedAt: info.mtimeMs } : undefined;
        })
      );
      for (const file of files.filter((f) => f !== undefined).sort((a, b) => a!.usedAt - b!.usedAt)) {
        this.retention!.use(file!.key, file!.bytes, file!.usedAt);
      }
      await this.removeDue();
    })());
  }

  /** Temporary files of interrupted saves (STALE_TEMPORARY_MS): never counted, they would only pile up otherwise. */
  private async removeStaleTemporaries(names: string[]): Promise<void> {
    for (const name of names) {
      const path = join(this.directory, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < this.now() - STALE_TEMPORARY_MS) {
        await unlink(path).catch(() => undefined);
        this.log.warn({ file: name, bytes: info.size }, 'removed the temporary file of an interrupted model save');
      }
    }
  }

  private async removeDue(keep?: string): Promise<void> {
    for (const removed of this.retention!.dueForRemoval(this.now(), keep)) {
      await unlink(this.fileFor(removed.key)).catch(() => undefined);
      this.events.onRemove?.(removed);
    }
    this.events.onBytesChange?.(this.retention!.bytes);
  }

  /** A model read back counts as used: its file moves to the back of the removal order (and its mtime to now). */
  private async markUsed(key: string): Promise<void> {
    if (!this.retention) {
      return;
    }
    await this.scanOnce();
    const now = this.now();
    if (this.retention.touch(key, now)) {
      await utimes(this.fileFor(key), new Date(now), new Date(now)).catch(() => undefined);
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
      await this.markUsed(key);
      return {
        key,
        description: String(json.description ?? ''),
        trainedAt: json.trainedAt,
        trainStart: json.trainStart,
        trainEnd: json.trainEnd,
        ...(typeof json.dataStart === 'number' ? { dataStart: json.dataStart } : {}),
        ...(Array.isArray(json.constantColumns) && json.constantColumns.every((c: unknown) => typeof c === 'string')
          ? { constantColumns: json.constantColumns as string[] }
          : {}),
        detector: json.detector,
      };
    } catch (error) {
      this.log.warn({ file, reason: (error as Error).message }, 'ignoring corrupt model file');
      return undefined;
    }
  }
}
