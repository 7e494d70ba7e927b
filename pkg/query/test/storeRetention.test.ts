import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelStore, type StoredModel } from '../src/models/modelStore';
import type { RemovedFile } from '../src/models/storeRetention';

const log = { warn: () => undefined };
const keyOf = (i: number) => i.toString(16).padStart(64, '0');

function model(i: number): StoredModel {
  // ~1 KB each, the same size for every key.
  return {
    key: keyOf(i),
    description: 'm',
    trainedAt: 1,
    trainStart: 0,
    trainEnd: 1,
    detector: { pad: 'x'.repeat(1000) },
  };
}

function storeIn(dir: string, limits: { maxBytes: number; maxAgeMs?: number }, clock: { now: number }) {
  const removed: RemovedFile[] = [];
  let bytes = 0;
  const store = new ModelStore(
    dir,
    log,
    limits,
    { onRemove: (r) => removed.push(r), onBytesChange: (b) => (bytes = b) },
    () => clock.now
  );
  return { store, removed, bytes: () => bytes };
}

const files = (dir: string) => readdirSync(dir).sort();
/** Bytes of one model file (every model here has the same size). */
const FILE_BYTES = JSON.stringify({ format: 'telemetry-analyzer-proxy-model', version: 1, ...model(1) }).length;

describe('model store retention', () => {
  it('keeps within maxBytes, removing the least recently used file first; a load counts as a use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-retention-'));
    const clock = { now: 1_000_000 };
    const { store, removed, bytes } = storeIn(dir, { maxBytes: 3.5 * FILE_BYTES }, clock);
    for (const i of [1, 2, 3]) {
      clock.now += 1000;
      await store.save(model(i));
    }
    clock.now += 1000;
    expect(await store.load(keyOf(1))).toBeDefined(); // 1 is now the most recently used
    await store.save(model(4));
    expect(files(dir)).toEqual([1, 3, 4].map((i) => `${keyOf(i)}.json`));
    expect(removed).toEqual([{ key: keyOf(2), reason: 'bytes' }]);
    expect(bytes()).toBe(3 * FILE_BYTES);
    expect(bytes()).toBe(store.bytes);
  });

  it('removes files unused for maxAge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-retention-'));
    const clock = { now: 1_000_000 };
    const { store, removed } = storeIn(dir, { maxBytes: 1e9, maxAgeMs: 60_000 }, clock);
    await store.save(model(1));
    clock.now += 120_000;
    await store.save(model(2));
    expect(files(dir)).toEqual([`${keyOf(2)}.json`]);
    expect(removed).toEqual([{ key: keyOf(1), reason: 'age' }]);
  });

  it('applies the limits at start-up to what an earlier run left, oldest modified first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-retention-'));
    const first = storeIn(dir, { maxBytes: 1e9 }, { now: 1 });
    for (const i of [1, 2, 3, 4]) {
      await first.store.save(model(i));
    }
    // Modification times say 3 was used last, 2 before it, then 4, then 1.
    [1, 4, 2, 3].forEach((i, order) => utimesSync(join(dir, `${keyOf(i)}.json`), 1000 + order, 1000 + order));
    const restarted = storeIn(dir, { maxBytes: 2.5 * FILE_BYTES }, { now: 2_000_000 });
    await restarted.store.scanOnce();
    expect(files(dir)).toEqual([2, 3].map((i) => `${keyOf(i)}.json`));
    expect(restarted.removed.map((r) => r.key)).toEqual([keyOf(1), keyOf(4)]);
  });
});
