import { BufferPool, MAX_POOLED_BYTES, pooledFloat64Array } from '../bufferPool';

const noPause = () => Promise.resolve();

describe('BufferPool.refill', () => {
  it('makes a buffer for each copy the pool could not supply, and the next copies of those sizes use them', async () => {
    const pool = new BufferPool();
    // A first job: nothing pooled, every copy on new memory.
    const first = [pooledFloat64Array(pool, 10), pooledFloat64Array(pool, 10), pooledFloat64Array(pool, 3)];
    await pool.refill(noPause);
    const again = [pool.takeFloat64Array(10), pool.takeFloat64Array(10), pool.takeFloat64Array(3)];
    expect(again.map((b) => b?.length)).toEqual([10, 10, 3]);
    expect(again.some((b) => first.some((a) => a.buffer === b?.buffer))).toBe(false);
    // Supplied copies are not missed: nothing more is made.
    pool.put(again.map((b) => b!.buffer as ArrayBuffer));
    pooledFloat64Array(pool, 10);
    await pool.refill(noPause);
    expect([pool.takeFloat64Array(10), pool.takeFloat64Array(10)].filter(Boolean)).toHaveLength(1);
  });

  it('drops the buffers of sizes the last job did not ask for (a growing range never asks for them again)', async () => {
    const pool = new BufferPool();
    pool.put([new ArrayBuffer(80), new ArrayBuffer(88)]);
    // The next job asks for 11 and 12 values (88 and 96 bytes): 80 bytes are not asked any more, 96 are missed.
    expect(pool.takeFloat64Array(11)?.byteLength).toBe(88);
    pool.takeFloat64Array(12);
    pool.put([new ArrayBuffer(88)]);
    await pool.refill(noPause);
    const taken = [pool.takeFloat64Array(10), pool.takeFloat64Array(11), pool.takeFloat64Array(12)];
    expect(taken.map((b) => b?.byteLength)).toEqual([undefined, 88, 96]);
  });

  it("endRound (the worker's pool, never refilled) drops sizes the round did not ask for and forgets its misses", () => {
    const pool = new BufferPool();
    pool.put([new ArrayBuffer(80), new ArrayBuffer(96)]);
    expect(pool.takeFloat64Array(12)?.byteLength).toBe(96);
    expect(pool.takeFloat64Array(11)).toBeUndefined();
    expect(pool.endRound()).toEqual([88]);
    // 80 bytes were not asked for in that round: gone; the misses were said once.
    expect(pool.takeFloat64Array(10)).toBeUndefined();
    expect(pool.endRound()).toEqual([80]);
  });

  it('endRound keeps of a size no more buffers than the round asked for (buffers given back beyond use do not pile up)', () => {
    const pool = new BufferPool();
    pool.put([1, 2, 3, 4, 5].map(() => new ArrayBuffer(80)));
    expect([pool.takeFloat64Array(10), pool.takeFloat64Array(10)].every(Boolean)).toBe(true);
    pool.endRound();
    // Two asked, three left: two kept.
    expect([1, 2, 3].map(() => pool.takeFloat64Array(10)?.byteLength)).toEqual([80, 80, undefined]);
    pool.put([1, 2, 3, 4].map(() => new ArrayBuffer(80)));
    pool.endRound();
    // Three asked in the round before: three of the four kept, round after round.
    expect([1, 2, 3, 4].map(() => pool.takeFloat64Array(10)?.byteLength)).toEqual([80, 80, 80, undefined]);
  });

  it('writes a large buffer a step at a time (a million points are 8 MB), with pauses between the steps', async () => {
    const pool = new BufferPool();
    const values = (3 * 1024 * 1024 + 8) / Float64Array.BYTES_PER_ELEMENT;
    pool.takeFloat64Array(values);
    let pauses = 0;
    await pool.refill(async () => {
      pauses++;
    });
    expect(pauses).toBe(4);
    expect(pool.takeFloat64Array(values)?.length).toBe(values);
  });

  it('stops when the panel has moved on, and stays within MAX_POOLED_BYTES', async () => {
    const pool = new BufferPool();
    pool.takeFloat64Array(1);
    pool.takeFloat64Array(2);
    let pauses = 0;
    await pool.refill(
      async () => {
        pauses++;
      },
      () => pauses >= 1
    );
    expect([pool.takeFloat64Array(1), pool.takeFloat64Array(2)].map((b) => b?.length)).toEqual([1, undefined]);

    const big = new BufferPool();
    const tooMany = MAX_POOLED_BYTES / Float64Array.BYTES_PER_ELEMENT + 1;
    big.takeFloat64Array(tooMany);
    big.takeFloat64Array(1);
    await big.refill(noPause);
    expect([big.takeFloat64Array(tooMany), big.takeFloat64Array(1)].map((b) => b?.length)).toEqual([undefined, 1]);
  });
});
