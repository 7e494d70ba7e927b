// How the reading thread's share of the forest walk follows the two threads' idle time (WalkBalance), with the
// threads' event-loop readings and the clock played by the test.
import { WalkBalance, type LoopMeter } from '../src/pipeline/walkBalance';

/** A thread whose event loop has idled and worked the ms it is told. */
class FakeLoop implements LoopMeter {
  private readonly times = { idle: 0, active: 0 };
  run(idle: number, active: number): void {
    this.times.idle += idle;
    this.times.active += active;
  }
  eventLoopUtilization() {
    return { ...this.times };
  }
}

function setUp() {
  const worker = new FakeLoop();
  const reader = new FakeLoop();
  let clock = 0;
  const balance = new WalkBalance(worker, reader, () => clock);
  /** `ms` of a run in which the reader idles `readerIdle` of the time and the worker `workerIdle`. */
  const pass = (ms: number, readerIdle: number, workerIdle: number) => {
    clock += ms;
    reader.run(ms * readerIdle, ms * (1 - readerIdle));
    worker.run(ms * workerIdle, ms * (1 - workerIdle));
    balance.update();
    return balance.share;
  };
  return { balance, pass };
}

describe('WalkBalance', () => {
  it('starts with a share of the walk on the reading thread', () => {
    const { balance } = setUp();
    expect(balance.share).toBeGreaterThan(0);
    expect(balance.share).toBeLessThan(0.5);
  });

  it('gives the reading thread more of the walk while it idles more than the worker, and never more than half', () => {
    const { balance, pass } = setUp();
    const start = balance.share;
    const shares = [1, 2, 3, 4, 5, 6].map(() => pass(250, 0.3, 0));
    expect(shares[0]).toBeGreaterThan(start);
    shares.slice(1).forEach((share, i) => expect(share).toBeGreaterThanOrEqual(shares[i]));
    expect(shares[shares.length - 1]).toBe(0.5);
  });

  it('gives the walk back to the worker while the worker idles more, down to none', () => {
    const { balance, pass } = setUp();
    const start = balance.share;
    expect(pass(250, 0, 0.1)).toBeLessThan(start);
    for (let i = 0; i < 10; i++) {
      pass(250, 0, 0.2);
    }
    expect(balance.share).toBe(0);
  });

  it('holds the share while both idle alike', () => {
    const { balance, pass } = setUp();
    const start = balance.share;
    expect(pass(250, 0.1, 0.1)).toBeCloseTo(start, 12);
  });

  it('compares idle time over a window of answers, not over one (threads take turns within a batch)', () => {
    const { balance, pass } = setUp();
    const start = balance.share;
    // Answers 20 ms apart: no change until the window is full, then one step for everything since the start.
    const shares = Array.from({ length: 9 }, () => pass(20, 0.5, 0));
    expect(shares.every((share) => share === start)).toBe(true);
    const moved = pass(20, 0.5, 0);
    expect(moved).toBeGreaterThan(start);
    expect(moved).toBeCloseTo(start + 0.3 * 0.5, 12);
  });
});
