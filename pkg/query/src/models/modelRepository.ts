/**
 * Where trained models live: an LRU cache in memory in front of the optional on-disk store. Models older than the
 * retrain interval count as absent (the caller retrains them); fixed-range models never go stale.
 *
 * The cache may hold thousands of models, so a model keeps in memory only what scoring needs, as the engine's
 * TransferredDetector (typed arrays: the compact trees, ~66 kB per 100 trees; no training data): what a worker thread
 * scores with (training/engineJobs.ts). This thread never decodes or encodes a model: a trained one comes with its
 * JSON form for the store, and a stored one is decoded by `decode` (on a worker thread, when there is a pool). The
 * proxy never re-thresholds a model (the contamination is part of its key) and never saves it again.
 *
 * A model's score cache (`lastScored`: the rows it last scored, ~144 kB for a day at 15 s, twice what the model itself
 * holds) is kept through keepScores, within a byte budget over all models (scoreCache.maxBytes): the least recently
 * scored models drop theirs first. The models themselves are bounded by count (modelCache.maxModels) and by bytes
 * (modelCache.maxBytes: a model of trees=1000 holds ~10x one of 100 trees). So memory is bounded by
 * modelCache.maxBytes + scoreCache.maxBytes, whatever the queries.
 */
import type { SerializedDetector, TransferredDetector } from '@telemetry-analyzer/engine';
import { DEFAULT_MAX_MODEL_BYTES, DEFAULT_SCORE_CACHE_BYTES, type ModelCacheConfig } from '../config';
import { scoredTableBytes, type ScoredTable } from '../query/scoreCache';
import { LruCache } from './lruCache';
import { engineOnEventLoop, type EngineThreads } from '../training/trainingPool';
import { ModelStore, StoreLogger } from './modelStore';

export interface TrainedModel {
  key: string;
  description: string;
  trainedAt: number;
  trainStart: number;
  trainEnd: number;
  /**
   * The first training sample's time: later than trainStart when the upstream holds less history than the window
   * asks for (a new Prometheus, a short retention). Absent in model files written before it was kept.
   */
  dataStart?: number;
  /**
   * Columns that did not change over the training rows (constantTraining.ts): the forest cannot flag a change in
   * them. Absent in model files written before it was kept.
   */
  constantColumns?: string[];
  /** What scores: handed to a worker thread as it is (AnomalyDetector.fromTransfer there). */
  detector: TransferredDetector;
  /**
   * The last table this model scored and its scores, reused by the next request (see query/scoreCache.ts). Set by
   * ModelRepository.keepScores; dropped beyond the score cache's byte budget, and gone with the model when it is
   * evicted, retrained or reloaded (a new TrainedModel). Never written to the model store.
   */
  lastScored?: ScoredTable;
  /** When a query last got this model from memory (or it was trained or loaded): forgetUnusedSince. Memory only. */
  usedAt?: number;
}

export interface RepositoryEvents {
  onCacheSizeChange(size: number): void;
  onStoreLoad(): void;
  /** Bytes the models' score caches hold together. */
  onScoreCacheBytesChange?(bytes: number): void;
  /** A model was evicted from memory to stay within maxModels. */
  onEvict?(): void;
  /** Bytes the cached models hold together (trainedModelBytes), without their score caches. */
  onModelBytesChange?(bytes: number): void;
  /** A model could not be written to the store (it is still served, from memory). */
  onStoreSaveFailed?(): void;
}

/**
 * Bytes a model's detector holds in memory: its typed arrays (the trees) by their length, numbers at 8 bytes and
 * strings at 2 per character; objects' own overhead is left out.
 */
export function modelBytes(value: unknown): number {
  if (ArrayBuffer.isView(value)) {
    return value.byteLength;
  }
  if (typeof value === 'number') {
    return 8;
  }
  if (typeof value === 'string') {
    return 2 * value.length;
  }
  if (typeof value === 'object' && value !== null) {
    let bytes = 0;
    for (const item of Object.values(value)) {
      bytes += modelBytes(item);
    }
    return bytes;
  }
  return 0;
}

/**
 * Bytes a cached model holds: its detector, and its key and description, which name the series by its labels. A
 * query can make those as long as it likes (label_replace): a review's 1 MB labels, uncounted, grew memory ~400x
 * past what the cache counted.
 */
export function trainedModelBytes(model: TrainedModel): number {
  return modelBytes(model.detector) + modelBytes(model.key) + modelBytes(model.description);
}

export class ModelRepository {
  private readonly cache: LruCache<string, TrainedModel>;
  /** The cached models that hold a score cache, least recently scored first, weighed by its bytes. */
  private readonly scoreHolders: LruCache<string, TrainedModel> | undefined;

  /**
   * @param cacheBounds modelCache: how many models, and how many bytes of them, stay in memory [maxBytes 1 GiB]
   * @param maxScoreCacheBytes scoreCache.maxBytes: what all models' score caches may hold together; 0 = none [256 MiB]
   */
  constructor(
    cacheBounds: Pick<ModelCacheConfig, 'maxModels'> & Partial<ModelCacheConfig>,
    private readonly store: ModelStore | undefined,
    private readonly log: StoreLogger,
    private readonly events: RepositoryEvents,
    private readonly now: () => number = Date.now,
    maxScoreCacheBytes = DEFAULT_SCORE_CACHE_BYTES,
    /** Reads a stored model's detector (its JSON form) back: on a worker thread, or on the event loop. */
    private readonly decode: EngineThreads['decode'] = engineOnEventLoop.decode
  ) {
    // A model evicted from memory takes its score cache with it.
    this.cache = new LruCache(
      cacheBounds.maxBytes ?? DEFAULT_MAX_MODEL_BYTES,
      (_key, model) => {
        this.release(model);
        this.events.onEvict?.();
      },
      trainedModelBytes,
      cacheBounds.maxModels
    );
    this.scoreHolders =
      maxScoreCacheBytes > 0
        ? new LruCache(
            maxScoreCacheBytes,
            (_key, model) => (model.lastScored = undefined),
            (model) => scoredTableBytes(model.lastScored!)
          )
        : undefined;
  }

  /** Bytes the cached models' score caches hold together (<= scoreCache.maxBytes). */
  get scoreCacheBytes(): number {
    return this.scoreHolders?.weight ?? 0;
  }

  /** Makes `scored` the score cache of `model` (a model this repository holds), within the byte budget. */
  keepScores(model: TrainedModel, scored: ScoredTable): void {
    if (this.scoreHolders === undefined || this.cache.get(model.key) !== model) {
      return; // no score cache, or a model already replaced or evicted: nobody would read it
    }
    model.lastScored = scored;
    this.scoreHolders.set(model.key, model);
    this.events.onScoreCacheBytesChange?.(this.scoreHolders.weight);
  }

  get cachedModels(): number {
    return this.cache.size;
  }

  /** A fresh model for the key, from memory or disk; undefined when absent or older than `maxAgeMs`. */
  async get(key: string, maxAgeMs: number | undefined): Promise<TrainedModel | undefined> {
    const fresh = (model: TrainedModel) => maxAgeMs === undefined || this.now() - model.trainedAt <= maxAgeMs;
    const cached = this.cache.get(key);
    if (cached) {
      if (!fresh(cached)) {
        return undefined;
      }
      cached.usedAt = this.now();
      return cached;
    }
    if (!this.store) {
      return undefined;
    }
    const stored = await this.store.load(key);
    if (!stored) {
      return undefined;
    }
    let detector: TransferredDetector;
    try {
      detector = await this.decode(stored.detector);
    } catch (error) {
      this.log.warn({ file: this.store.fileFor(key), reason: (error as Error).message }, 'ignoring corrupt model file');
      return undefined;
    }
    const model: TrainedModel = { ...stored, detector };
    if (!fresh(model)) {
      return undefined;
    }
    this.remember(model);
    this.events.onStoreLoad();
    return model;
  }

  /** Whether put() writes models to disk: then it needs each model's JSON form (the engine's toJSON). */
  get saves(): boolean {
    return this.store !== undefined;
  }

  /**
   * Keeps a newly trained model in memory and, with its JSON form `json` (when `saves`), on disk; a failed disk
   * write is logged, the model still served.
   */
  async put(model: TrainedModel, json?: SerializedDetector): Promise<void> {
    const saved = this.store &&
      json && {
        key: model.key,
        description: model.description,
        trainedAt: model.trainedAt,
        trainStart: model.trainStart,
        trainEnd: model.trainEnd,
        dataStart: model.dataStart,
        constantColumns: model.constantColumns,
        detector: json,
      };
    this.remember(model);
    if (!this.store || saved === undefined) {
      return;
    }
    try {
      await this.store.save(saved);
    } catch (error) {
      this.events.onStoreSaveFailed?.();
      this.log.warn({ directory: this.store.directory, reason: (error as Error).message }, 'could not save a model');
    }
  }

  /**
   * Drops from memory (not from the store) every model no query has got since `cutoffMs`, with its score cache: a
   * query that moves on with time (an alert, a dashboard's "last 6 hours") gets a new model every retrain interval,
   * and the ones it left would otherwise sit in the cache until maxModels pushes them out. A model some other query
   * still uses (a panel over the hour before) stays.
   */
  forgetUnusedSince(cutoffMs: number): void {
    let forgotten = 0;
    for (const model of this.cache.values()) {
      if ((model.usedAt ?? model.trainedAt) < cutoffMs) {
        this.cache.delete(model.key);
        this.release(model);
        forgotten++;
      }
    }
    if (forgotten > 0) {
      this.events.onCacheSizeChange(this.cache.size);
      this.events.onModelBytesChange?.(this.cache.weight);
    }
  }

  private remember(model: TrainedModel): void {
    model.usedAt = this.now();
    this.forgetScores(model.key); // those of the model this one replaces, if any
    this.cache.set(model.key, model);
    this.events.onCacheSizeChange(this.cache.size);
    this.events.onModelBytesChange?.(this.cache.weight);
  }

  /** Bytes the cached models hold together (trainedModelBytes), <= modelCache.maxBytes. */
  get modelBytes(): number {
    return this.cache.weight;
  }

  /** What a model leaving memory takes along: its score cache. */
  private release(model: TrainedModel): void {
    this.forgetScores(model.key);
  }

  private forgetScores(key: string): void {
    if (this.scoreHolders?.delete(key)) {
      this.events.onScoreCacheBytesChange?.(this.scoreHolders.weight);
    }
  }
}
