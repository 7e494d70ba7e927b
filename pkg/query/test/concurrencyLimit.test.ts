import { ConcurrencyLimit } from '../src/training/concurrencyLimit';

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks; a waiter whose signal aborts leaves the queue with its reason', async () => {
    const limit = new ConcurrencyLimit(1);
    let release!: () => void;
    const running = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const gone = new AbortController();
    const leaving = limit.run(async () => 'never', gone.signal);
    const next = limit.run(async () => 'ran');
    gone.abort('client gone');
    await expect(leaving).rejects.toBe('client gone');
    release();
    await running;
    await expect(next).resolves.toBe('ran');
  });

  it('refuses at once a caller whose signal has already aborted', async () => {
    const limit = new ConcurrencyLimit(1);
    let release!: () => void;
    const running = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(limit.run(async () => 'x', AbortSignal.abort('late'))).rejects.toBe('late');
    release();
    await running;
  });

  it("lends a running task's turn while it waits, takes one back after, and lends at most `limit` at once", async () => {
    const limit = new ConcurrencyLimit(1);
    const gates: Array<() => void> = [];
    const gate = () => new Promise<void>((resolve) => gates.push(resolve));
    // The first task lends its turn while it waits: the second runs meanwhile.
    const first = limit.run(() => limit.lend(gate).then(() => 'first'));
    const second = limit.run(async () => 'second');
    await expect(second).resolves.toBe('second');
    expect(limit.runningCount).toBe(0);
    // A third task takes the turn and lends it too: a second lend beyond `limit` keeps its turn, so a fourth waits.
    const third = limit.run(() => limit.lend(gate).then(() => 'third'));
    await Promise.resolve();
    const fourth = limit.run(async () => 'fourth');
    await new Promise((resolve) => setImmediate(resolve));
    expect(limit.waitingCount).toBe(1);
    gates[1](); // the third's wait ends: it takes its turn back without queueing, then ends
    await expect(third).resolves.toBe('third');
    await expect(fourth).resolves.toBe('fourth');
    gates[0]();
    await expect(first).resolves.toBe('first');
    expect([limit.runningCount, limit.waitingCount]).toEqual([0, 0]);
  });
});
