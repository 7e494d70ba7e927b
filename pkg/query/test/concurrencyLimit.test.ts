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
});
