import { AnomalyDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { ModelRepository, modelBytes, trainedModelBytes, type TrainedModel } from '../src/models/modelRepository';

function table(): SeriesTable {
  const n = 300;
  const timestamps = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000);
  const values = Float64Array.from({ length: n }, (_, i) => 10 + Math.sin(i / 5));
  return { timestamps, columns: [{ name: 'cpu', values }] };
}

function model(key: string, trees: number): TrainedModel {
  const detector = AnomalyDetector.train(table(), { forest: { nEstimators: trees, seed: 1 } }).toTransfer();
  return { key, description: key, trainedAt: 0, trainStart: 0, trainEnd: 1, detector };
}

describe('model memory', () => {
  it("counts a detector's trees: twice the trees, about twice the bytes", () => {
    const small = modelBytes(model('a', 20).detector);
    const large = modelBytes(model('b', 40).detector);
    expect(small).toBeGreaterThan(20 * 100); // every tree holds some nodes
    expect(large / small).toBeGreaterThan(1.8);
    expect(large / small).toBeLessThan(2.2);
  });

  it('the repository reports the bytes its cached models hold, as they are added, replaced and evicted', async () => {
    const reported: number[] = [];
    const repository = new ModelRepository(
      { maxModels: 2 },
      undefined,
      { warn: () => undefined },
      {
        onCacheSizeChange: () => undefined,
        onStoreLoad: () => undefined,
        onModelBytesChange: (bytes) => reported.push(bytes),
      }
    );
    const [a, b, c, a2] = [model('a', 20), model('b', 40), model('c', 20), model('a', 40)];
    const bytes = trainedModelBytes;
    await repository.put(a);
    await repository.put(b);
    expect(repository.modelBytes).toBe(bytes(a) + bytes(b));
    await repository.put(c); // evicts a
    expect(repository.modelBytes).toBe(bytes(b) + bytes(c));
    await repository.put({ ...a2, key: 'c' }); // replaces c
    expect(repository.modelBytes).toBe(bytes(b) + bytes(a2));
    expect(reported[reported.length - 1]).toBe(repository.modelBytes);
  });

  it('evicts the least recently used models to stay within modelCache.maxBytes, however few they are', async () => {
    const [a, b, c] = [model('a', 40), model('b', 40), model('c', 40)];
    const bytes = trainedModelBytes;
    let evicted = 0;
    const repository = new ModelRepository(
      // Room for 10 000 models by count, for two of these by bytes.
      { maxModels: 10_000, maxBytes: bytes(a) + bytes(b) + Math.floor(bytes(c) / 2) },
      undefined,
      { warn: () => undefined },
      { onCacheSizeChange: () => undefined, onStoreLoad: () => undefined, onEvict: () => evicted++ }
    );
    await repository.put(a);
    await repository.put(b);
    expect(await repository.get('a', undefined)).toBe(a); // a is now used more recently than b
    await repository.put(c);
    expect([repository.cachedModels, evicted]).toEqual([2, 1]);
    expect(await repository.get('b', undefined)).toBeUndefined();
    expect(await repository.get('a', undefined)).toBe(a);
    expect(repository.modelBytes).toBe(bytes(a) + bytes(c));
  });

  it('counts the labels a model names its series by: a query can make them as long as it likes', async () => {
    // label_replace can give a series a label of megabytes; each model's description holds it.
    const label = `{host="${'x'.repeat(1 << 20)}"}`;
    const heavy = (key: string): TrainedModel => ({ ...model(key, 20), description: `${label} columns ["cpu"]` });
    const light = model('light', 20);
    expect(trainedModelBytes(heavy('a'))).toBeGreaterThan(2 * label.length);
    let evicted = 0;
    const repository = new ModelRepository(
      { maxModels: 10_000, maxBytes: 5 * trainedModelBytes(light) + 3 * trainedModelBytes(heavy('h')) },
      undefined,
      { warn: () => undefined },
      { onCacheSizeChange: () => undefined, onStoreLoad: () => undefined, onEvict: () => evicted++ }
    );
    for (let i = 0; i < 10; i++) {
      await repository.put(heavy(`h${i}`));
    }
    expect(repository.cachedModels).toBe(3);
    expect(evicted).toBe(7);
    expect(repository.modelBytes).toBeLessThanOrEqual(5 * trainedModelBytes(light) + 3 * trainedModelBytes(heavy('h')));
  });
});
