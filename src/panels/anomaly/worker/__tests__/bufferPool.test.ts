import { BufferPool, MAX_POOLED_BYTES, pooledFloat64Array } from '../bufferPool';

const noPause = () => Promise.resolve();

describe('BufferPool.refill', () => {
  it('makes a buffer for each copy the pool could not supply, and the next copies of those sizes use them', async () => {
    const pool = new BufferPool();
    // A first job: nothing pooled, every copy on new memory.
    const first = [pooledFloat64Array(pool, 10), pooledFloat64Array(pool, 10), pooledFloat64Array(pool, 3)];
    await pool.refill(noPause);
    const again = [pool.take(80), pool.take(80), pool.take(24)];
    expect(again.map((b) => b?.byteLength)).toEqual([80, 80, 24]);
    expect(again.some((b) => first.some((a) => a.buffer === b))).toBe(false);
    // Supplied copies are not missed: nothing more is made.
    pool.put(again as ArrayBuffer[]);
    pooledFloat64Array(pool, 10);
    await pool.refill(noPause);
    expect([pool.take(80), pool.take(80)].filter(Boolean)).toHaveLength(1);
  });

  it('drops the buffers of sizes the last job did not ask for (a growing range never asks for them again)', async () => {
    const pool = new BufferPool();
    pool.put([new ArrayBuffer(80), new ArrayBuffer(88)]);
    // The next job asks for 88 and 96 bytes: 80 is not asked any more, 96 is missed.
    expect(pool.take(88)?.byteLength).toBe(88);
    pool.take(96);
    pool.put([new ArrayBuffer(88)]);
    await pool.refill(noPause);
    expect([pool.take(80), pool.take(88), pool.take(96)].map((b) => b?.byteLength)).toEqual([undefined, 88, 96]);
  });

  it('writes a large buffer a step at a time (a million points are 8 MB), with pauses between the steps', async () => {
    const pool = new BufferPool();
    const size = 3 * 1024 * 1024 + 8;
    pool.take(size);
    let pauses = 0;
    await pool.refill(async () => {
      pauses++;
    });
    expect(pauses).toBe(4);
    expect(pool.take(size)?.byteLength).toBe(size);
  });

  it('stops when the panel has moved on, and stays within MAX_POOLED_BYTES', async () => {
    const pool = new BufferPool();
    pool.take(8);
    pool.take(16);
    let pauses = 0;
    await pool.refill(
      async () => {
        pauses++;
      },
      () => pauses >= 1
    );
    expect([pool.take(8), pool.take(16)].map((b) => b?.byteLength)).toEqual([8, undefined]);

    const big = new BufferPool();
    big.take(MAX_POOLED_BYTES + 8);
    big.take(8);
    await big.refill(noPause);
    expect([big.take(MAX_POOLED_BYTES + 8), big.take(8)].map((b) => b?.byteLength)).toEqual([undefined, 8]);
  });
});
