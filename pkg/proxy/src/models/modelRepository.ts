/**
 * Where trained models live: an LRU cache in memory in front of the optional on-disk store. Models older than the
 * retrain interval count as absent (the caller retrains them); fixed-range models never go stale.
 *
 * The cache may hold thousands of models, so a model keeps in memory only what scoring needs: once saved (or read
 * back), its detector releases its training data (AnomalyDetector.releaseTrainingData), ~40 % of what it holds. The
 * proxy never re-thresholds a model (the contamination is part of its key) and never saves it again.
 */
import { AnomalyDetector } from '@telemetry-analyzer/engine';
import type { ScoredTable } from '../query/scoreCache';
import { LruCache } from './lruCache';
import { ModelStore, StoreLogger } from './modelStore';

export interface TrainedModel {
  key: string;
  description: string;
  trainedAt: number;
  trainStart: number;
  trainEnd: number;
  detector: AnomalyDetector;
  /**
   * The last table this model scored and its scores, reused by the next request (see query/scoreCache.ts). It lives
   * and dies with the model's entry in the LRU: evicted with it, and gone when the model is retrained or reloaded
   * (a new TrainedModel). Never written to the model store.
   */
  lastScored?: ScoredTable;
}

export interface RepositoryEvents {
  onCacheSizeChange(size: number): void;
  onStoreLoad(): void;
}

export class ModelRepository {
  private readonly cache: LruCache<string, TrainedModel>;

  constructor(
    maxModels: number,
    private readonly store: ModelStore | undefined,
    private readonly log: StoreLogger,
    private readonly events: RepositoryEvents,
    private readonly now: () => number = Date.now
  ) {
    this.cache = new LruCache(maxModels);
  }

  get cachedModels(): number {
    return this.cache.size;
  }

  /** A fresh model for the key, from memory or disk; undefined when absent or older than `maxAgeMs`. */
  async get(key: string, maxAgeMs: number | undefined): Promise<TrainedModel | undefined> {
    const fresh = (model: TrainedModel) => maxAgeMs === undefined || this.now() - model.trainedAt <= maxAgeMs;
    const cached = this.cache.get(key);
    if (cached) {
      return fresh(cached) ? cached : undefined;
    }
    if (!this.store) {
      return undefined;
    }
    const stored = await this.store.load(key);
    if (!stored) {
      return undefined;
    }
    let detector: AnomalyDetector;
    try {
      detector = AnomalyDetector.fromJSON(stored.detector);
    } catch (error) {
      this.log.warn({ file: this.store.fileFor(key), reason: (error as Error).message }, 'ignoring corrupt model file');
      return undefined;
    }
    detector.releaseTrainingData();
    const model: TrainedModel = { ...stored, detector };
    if (!fresh(model)) {
      return undefined;
    }
    this.remember(model);
    this.events.onStoreLoad();
    return model;
  }

  /** Keeps a newly trained model in memory and on disk; a failed disk write is logged, the model still served. */
  async put(model: TrainedModel): Promise<void> {
    const saved = this.store && {
      key: model.key,
      description: model.description,
      trainedAt: model.trainedAt,
      trainStart: model.trainStart,
      trainEnd: model.trainEnd,
      detector: model.detector.toJSON(),
    };
    model.detector.releaseTrainingData();
    this.remember(model);
    if (!this.store || saved === undefined) {
      return;
    }
    try {
      await this.store.save(saved);
    } catch (error) {
      this.log.warn({ directory: this.store.directory, reason: (error as Error).message }, 'could not save a model');
    }
  }

  private remember(model: TrainedModel): void {
    this.cache.set(model.key, model);
    this.events.onCacheSizeChange(this.cache.size);
  }
}
