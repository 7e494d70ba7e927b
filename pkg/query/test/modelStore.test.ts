import { AnomalyDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRepository, type TrainedModel } from '../src/models/modelRepository';
import { ModelStore, STALE_TEMPORARY_MS } from '../src/models/modelStore';
import { scoredTableBytes, scoreWithCache, type ScoredTable } from '../src/query/scoreCache';

const KEY = 'a'.repeat(64);

function table(): SeriesTable {
  const n = 200;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_700_000_000_000 + i * 60_000;
    values[i] = 10 + Math.sin(i / 5) + (i === 150 ? 8 : 0);
  }
  return { timestamps, columns: [{ name: 'cpu', values }] };
}

/** What a worker thread scores with: the repository's model, as the engine's detector. */
function scorer(model: TrainedModel | undefined): AnomalyDetector {
  return AnomalyDetector.fromTransfer(model!.detector);
}

/** The store's record of a detector under KEY (trained at 5 on [1, 2]). */
function storedModel(detector: AnomalyDetector) {
  return { key: KEY, description: 'cpu', trainedAt: 5, trainStart: 1, trainEnd: 2, detector: detector.toJSON() };
}

function collectingLog() {
  const lines: Array<{ object: object; message: string }> = [];
  return { lines, warn: (object: object, message: string) => lines.push({ object, message }) };
}

describe('ModelStore', () => {
  it('round-trips a detector: the loaded model scores exactly like the trained one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-store-'));
    const store = new ModelStore(dir, collectingLog());
    const detector = AnomalyDetector.train(table(), { forest: { nEstimators: 20, seed: 3 } });
    await store.save(storedModel(detector));
    expect(readdirSync(dir)).toEqual([`${KEY}.json`]); // no temporary file left behind
    const loaded = await store.load(KEY);
    expect(loaded).toMatchObject({ key: KEY, description: 'cpu', trainedAt: 5, trainStart: 1, trainEnd: 2 });
    const restored = AnomalyDetector.fromJSON(loaded!.detector);
    expect(Array.from(restored.score(table())[0].scores)).toEqual(Array.from(detector.score(table())[0].scores));
  });

  it('never writes a model file larger than the whole byte budget, and says so (the model serves from memory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-store-'));
    const log = collectingLog();
    const removed: string[] = [];
    const model = storedModel(AnomalyDetector.train(table(), { forest: { nEstimators: 20, seed: 3 } }));
    const size = Buffer.byteLength(JSON.stringify(model));
    const store = new ModelStore(
      dir,
      log,
      { maxBytes: Math.floor(size / 2) },
      { onRemove: (f) => removed.push(f.reason) }
    );
    await store.save(model);
    expect(readdirSync(dir)).toEqual([]);
    expect(store.bytes).toBe(0);
    expect(removed).toEqual(['bytes']);
    expect(log.lines.map((l) => l.message)).toEqual(['model file larger than modelStore.maxBytes: not saved']);
    // Within the budget it is saved as before.
    const roomy = new ModelStore(dir, collectingLog(), { maxBytes: 2 * size });
    await roomy.save(model);
    expect(readdirSync(dir)).toEqual([`${KEY}.json`]);
  });

  it('removes the temporary files of saves a killed process never finished, once they are stale, and no others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-store-'));
    const stale = `${'b'.repeat(64)}.json.4242.0123456789ab.tmp`;
    const fresh = `${'c'.repeat(64)}.json.4243.0123456789ab.tmp`;
    const other = 'notes.tmp';
    for (const name of [stale, fresh, other]) {
      writeFileSync(join(dir, name), '{"format":');
    }
    const past = new Date(Date.now() - STALE_TEMPORARY_MS - 60_000);
    utimesSync(join(dir, stale), past, past);
    const log = collectingLog();
    const store = new ModelStore(dir, log, { maxBytes: 10_000_000 });
    await store.save(storedModel(AnomalyDetector.train(table(), { forest: { nEstimators: 20, seed: 3 } })));
    expect(readdirSync(dir).sort()).toEqual([`${KEY}.json`, fresh, other].sort());
    expect(log.lines).toEqual([
      {
        object: { file: stale, bytes: 10 },
        message: 'removed the temporary file of an interrupted model save',
      },
    ]);
  });

  it('returns undefined without logging when the file does not exist', async () => {
    const log = collectingLog();
    const store = new ModelStore(mkdtempSync(join(tmpdir(), 'proxy-store-')), log);
    await expect(store.load(KEY)).resolves.toBeUndefined();
    expect(log.lines).toEqual([]);
  });

  it.each([
    ['truncated JSON', '{"format":"telemetry-analyzer-proxy-model","vers'],
    ['another format', JSON.stringify({ format: 'other', version: 1 })],
    [
      'another key',
      JSON.stringify({
        format: 'telemetry-analyzer-proxy-model',
        version: 1,
        key: 'b'.repeat(64),
        trainedAt: 1,
        trainStart: 1,
        trainEnd: 1,
        detector: {},
      }),
    ],
    ['missing fields', JSON.stringify({ format: 'telemetry-analyzer-proxy-model', version: 1, key: KEY })],
  ])('ignores a corrupt file (%s) with a log line', async (_what, content) => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-store-'));
    const log = collectingLog();
    const store = new ModelStore(dir, log);
    writeFileSync(store.fileFor(KEY), content);
    await expect(store.load(KEY)).resolves.toBeUndefined();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].message).toBe('ignoring corrupt model file');
    expect(log.lines[0].object).toMatchObject({ file: store.fileFor(KEY) });
  });

  it('refuses keys that are not digests (no path tricks)', () => {
    const store = new ModelStore('/tmp', collectingLog());
    expect(() => store.fileFor('../etc/passwd')).toThrow('sha256 hex');
  });
});

describe('ModelRepository', () => {
  const events = () => ({
    sizes: [] as number[],
    loads: 0,
    onCacheSizeChange(size: number) {
      this.sizes.push(size);
    },
    onStoreLoad() {
      this.loads++;
    },
  });

  it('serves a stored model after a restart (new repository, same directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-repo-'));
    const detector = AnomalyDetector.train(table(), { forest: { nEstimators: 10 } });
    const first = new ModelRepository(
      { maxModels: 10 },
      new ModelStore(dir, collectingLog()),
      collectingLog(),
      events()
    );
    const json = detector.toJSON();
    const model = { key: KEY, description: 'd', trainedAt: 1000, trainStart: 0, trainEnd: 1, constantColumns: ['cpu'] };
    await first.put({ ...model, detector: detector.toTransfer() }, json);

    const restartedEvents = events();
    const restarted = new ModelRepository(
      { maxModels: 10 },
      new ModelStore(dir, collectingLog()),
      collectingLog(),
      restartedEvents,
      () => 2000
    );
    const loaded = await restarted.get(KEY, 3600_000);
    expect(scorer(loaded).score(table())).toEqual(detector.score(table()));
    // What the answer's warnings need comes back too (constantTraining.ts).
    expect(loaded?.constantColumns).toEqual(['cpu']);
    expect(restartedEvents.loads).toBe(1);
  });

  it('keeps in memory only what scoring needs, after saving the whole model (training data released)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-repo-'));
    const repo = new ModelRepository(
      { maxModels: 10 },
      new ModelStore(dir, collectingLog()),
      collectingLog(),
      events()
    );
    const options = { forest: { nEstimators: 10, contamination: 0.05 } };
    const detector = AnomalyDetector.train(table(), options);
    const expected = AnomalyDetector.train(table(), options).score(table());
    const json = detector.toJSON();
    await repo.put(
      {
        key: KEY,
        description: 'd',
        trainedAt: Date.now(),
        trainStart: 0,
        trainEnd: 1,
        detector: detector.toTransfer(),
      },
      json
    );

    const cached = await repo.get(KEY, undefined);
    expect(scorer(cached).score(table())).toEqual(expected);
    expect(() => scorer(cached).toJSON()).toThrow(/released its training data/);
    const reloaded = await new ModelRepository(
      { maxModels: 10 },
      new ModelStore(dir, collectingLog()),
      collectingLog(),
      events()
    ).get(KEY, undefined);
    expect(scorer(reloaded).score(table())).toEqual(expected); // the file has the whole model
    expect(() => scorer(reloaded).toJSON()).toThrow(/released its training data/);
  });

  it('treats a model older than maxAge as absent, and never ages fixed-range models', async () => {
    let now = 0;
    const repo = new ModelRepository({ maxModels: 10 }, undefined, collectingLog(), events(), () => now);
    const detector = AnomalyDetector.train(table(), { forest: { nEstimators: 10 } }).toTransfer();
    await repo.put({ key: KEY, description: 'd', trainedAt: 0, trainStart: 0, trainEnd: 1, detector });
    now = 1000;
    expect(await repo.get(KEY, 1000)).toBeDefined();
    now = 1001;
    expect(await repo.get(KEY, 1000)).toBeUndefined();
    expect(await repo.get(KEY, undefined)).toBeDefined();
  });

  it('keeps at most maxModels in memory (LRU) while the store still has them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-repo-'));
    const repoEvents = events();
    const repo = new ModelRepository(
      { maxModels: 2 },
      new ModelStore(dir, collectingLog()),
      collectingLog(),
      repoEvents
    );
    for (const c of ['1', '2', '3']) {
      const detector = AnomalyDetector.train(table(), { forest: { nEstimators: 10 } });
      const json = detector.toJSON();
      await repo.put(
        {
          key: c.repeat(64),
          description: c,
          trainedAt: Date.now(),
          trainStart: 0,
          trainEnd: 1,
          detector: detector.toTransfer(),
        },
        json
      );
    }
    expect(repo.cachedModels).toBe(2);
    expect(repoEvents.sizes).toEqual([1, 2, 2]);
    expect(readdirSync(dir)).toHaveLength(3);
    expect(await repo.get('1'.repeat(64), undefined)).toBeDefined(); // evicted from memory, reloaded from disk
    expect(repoEvents.loads).toBe(1);
  });

  it('ignores a file whose detector the engine rejects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-repo-'));
    const log = collectingLog();
    const store = new ModelStore(dir, log);
    await store.save({
      key: KEY,
      description: 'd',
      trainedAt: Date.now(),
      trainStart: 0,
      trainEnd: 1,
      detector: { version: 999 },
    });
    const repo = new ModelRepository({ maxModels: 2 }, store, log, events());
    expect(await repo.get(KEY, undefined)).toBeUndefined();
    expect(log.lines.map((l) => l.message)).toEqual(['ignoring corrupt model file']);
  });
});

describe('ModelRepository score caches (scoreCache.maxBytes)', () => {
  const trainedModel = (key: string): TrainedModel => ({
    key,
    description: key,
    trainedAt: Date.now(),
    trainStart: 0,
    trainEnd: 1,
    detector: AnomalyDetector.train(table(), { forest: { nEstimators: 10 } }).toTransfer(),
  });
  const scoredBy = (model: TrainedModel): ScoredTable =>
    scoreWithCache(AnomalyDetector.fromTransfer(model.detector), table(), undefined).scored;
  const bytesReported: number[] = [];
  const events = {
    onCacheSizeChange() {},
    onStoreLoad() {},
    onScoreCacheBytesChange: (bytes: number) => bytesReported.push(bytes),
  };
  const tableBytes = scoredTableBytes(scoredBy(trainedModel('probe')));

  beforeEach(() => (bytesReported.length = 0));

  it('keeps them within the budget over all models, dropping the least recently scored first', async () => {
    const repo = new ModelRepository(
      { maxModels: 10 },
      undefined,
      collectingLog(),
      events,
      Date.now,
      Math.floor(2.5 * tableBytes)
    );
    const models = ['1', '2', '3'].map((c) => trainedModel(c.repeat(64)));
    for (const model of models) {
      await repo.put(model);
    }
    repo.keepScores(models[0], scoredBy(models[0]));
    repo.keepScores(models[1], scoredBy(models[1]));
    repo.keepScores(models[0], scoredBy(models[0])); // scored again: now model 1 is the least recently scored
    repo.keepScores(models[2], scoredBy(models[2]));
    expect(models.map((m) => m.lastScored !== undefined)).toEqual([true, false, true]);
    expect(repo.scoreCacheBytes).toBe(2 * tableBytes);
    expect(bytesReported).toEqual([1, 2, 2, 2].map((n) => n * tableBytes));
  });

  it('lets a model evicted from memory, or replaced by a retrained one, take its score cache along', async () => {
    const repo = new ModelRepository({ maxModels: 1 }, undefined, collectingLog(), events, Date.now, 10 * tableBytes);
    const first = trainedModel(KEY);
    await repo.put(first);
    repo.keepScores(first, scoredBy(first));
    const retrained = trainedModel(KEY);
    await repo.put(retrained);
    expect(repo.scoreCacheBytes).toBe(0);
    repo.keepScores(first, scoredBy(first)); // a request still holding the replaced model: not kept
    expect(repo.scoreCacheBytes).toBe(0);
    repo.keepScores(retrained, scoredBy(retrained));
    await repo.put(trainedModel('b'.repeat(64))); // evicts `retrained` (maxModels 1)
    expect(repo.scoreCacheBytes).toBe(0);
    expect(bytesReported).toEqual([tableBytes, 0, tableBytes, 0]);
  });

  it('keeps none with maxBytes 0', async () => {
    const repo = new ModelRepository({ maxModels: 10 }, undefined, collectingLog(), events, Date.now, 0);
    const model = trainedModel(KEY);
    await repo.put(model);
    repo.keepScores(model, scoredBy(model));
    expect(model.lastScored).toBeUndefined();
    expect(repo.scoreCacheBytes).toBe(0);
  });
});
