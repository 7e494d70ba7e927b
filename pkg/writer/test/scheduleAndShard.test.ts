import { parseShard, scoringChunks, shardOf, chunkQueryText } from '../src';

const job = {
  stepMs: 60_000,
  schedule: { inferEveryMs: 60_000, fitEveryMs: 3_600_000, fitWindowMs: 86_400_000, delayMs: 0 },
};

describe('scoringChunks', () => {
  it('cuts a range at fit times (epoch-aligned) and at maxPoints, covering every step once', () => {
    const from = 3_600_000 * 10 - 5 * 60_000; // 5 minutes before a fit time
    const to = 3_600_000 * 12 + 60_000;
    const chunks = scoringChunks(job, from, to, 50);
    const points = chunks.flatMap((c) => {
      const out: number[] = [];
      for (let t = c.startMs; t <= c.endMs; t += 60_000) {
        out.push(t);
      }
      return out;
    });
    expect(points).toEqual(Array.from({ length: (to - from) / 60_000 + 1 }, (_, i) => from + i * 60_000));
    for (const c of chunks) {
      expect(Math.floor(c.startMs / 3_600_000)).toBe(Math.floor(c.endMs / 3_600_000));
      expect(c.fitAtMs).toBe(Math.floor(c.startMs / 3_600_000) * 3_600_000);
      expect(c.trainEndMs).toBe(c.fitAtMs - 60_000);
      expect(c.trainStartMs).toBe(c.fitAtMs - 86_400_000);
      expect((c.endMs - c.startMs) / 60_000 + 1).toBeLessThanOrEqual(50);
    }
  });

  it('spells the chunk as the anomaly query the proxy would answer', () => {
    expect(
      chunkQueryText({ query: 'cpu{host="a"}', optionsText: 'contamination=0.01' }, 'anomaly_flag', {
        trainStartMs: 1_000_000,
        trainEndMs: 2_000_000,
      })
    ).toBe('anomaly_flag(cpu{host="a"}, contamination=0.01, train_start=1000, train_end=2000)');
  });
});

describe('shards', () => {
  it('parses i/N', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard('3/3')).toBeUndefined();
    expect(parseShard('x')).toBeUndefined();
  });

  it('assigns a label set to one stable shard, ignoring __name__ and label order, and spreads sets over shards', () => {
    expect(shardOf({ host: 'a', job: 'node' }, 3)).toBe(shardOf({ job: 'node', host: 'a', __name__: 'cpu' }, 3));
    const counts = [0, 0, 0];
    for (let i = 0; i < 300; i++) {
      counts[shardOf({ host: `h${i}` }, 3)]++;
    }
    expect(Math.min(...counts)).toBeGreaterThan(60);
    // Pinned: a change of the hash would move every series to another shard (and its models with it).
    expect([0, 1, 2, 3, 4].map((i) => shardOf({ host: `h${i}` }, 3))).toEqual([2, 2, 0, 1, 0]);
  });
});
