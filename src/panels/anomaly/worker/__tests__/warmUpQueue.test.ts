import { type WarmUpCandidate, WarmUpQueue } from '../warmUpQueue';

/** A worker as the queue sees it: what it was told, in order. */
function worker(name: string, log: string[]): WarmUpCandidate {
  return {
    startWarmUp: () => log.push(`start ${name}`),
    stopWarmUp: () => log.push(`stop ${name}`),
  };
}

describe('WarmUpQueue (the page-wide warm-ups)', () => {
  it('one panel on 2 cores: the idle worker warms up beside the busy one, which warms up once its job ends', () => {
    const log: string[] = [];
    const queue = new WarmUpQueue(2);
    const [a0, a1] = [worker('a0', log), worker('a1', log)];
    queue.setBusy(a0, true);
    queue.request(a0);
    queue.request(a1);
    expect(log).toEqual(['start a1']);
    queue.setBusy(a0, false);
    expect(log).toEqual(['start a1', 'start a0']);
    expect(queue.counts).toEqual({ busy: 0, waiting: 0, warming: 2, stopping: 0 });
  });

  it('never takes a core another panel is scoring on: a warm-up waits while every core has a job', () => {
    const log: string[] = [];
    const queue = new WarmUpQueue(2);
    const [a0, a1, b0, b1] = ['a0', 'a1', 'b0', 'b1'].map((name) => worker(name, log));
    queue.setBusy(a0, true);
    queue.setBusy(b0, true);
    queue.request(a1);
    queue.request(b1);
    expect(log).toEqual([]);
    // Panel a is done: one core free, for the warm-up asked for first.
    queue.setBusy(a0, false);
    queue.request(a0);
    expect(log).toEqual(['start a1']);
    queue.finished(a1);
    expect(log).toEqual(['start a1', 'start b1']);
    queue.setBusy(b0, false);
    expect(log).toEqual(['start a1', 'start b1', 'start a0']);
  });

  it('a job starting on a full page stops the latest warm-up (once), whose core no longer counts', () => {
    const log: string[] = [];
    const queue = new WarmUpQueue(2);
    const [a0, a1, b0] = ['a0', 'a1', 'b0'].map((name) => worker(name, log));
    queue.request(a0);
    queue.request(a1);
    expect(log).toEqual(['start a0', 'start a1']);
    queue.setBusy(b0, true);
    expect(log).toEqual(['start a0', 'start a1', 'stop a1']);
    expect(queue.counts).toEqual({ busy: 1, waiting: 0, warming: 2, stopping: 1 });
    // A second job on the page: both cores are taken by jobs, so the other warm-up stops too.
    queue.setBusy(worker('c0', log), true);
    expect(log).toEqual(['start a0', 'start a1', 'stop a1', 'stop a0']);
    // Both answered; asked again, a1 waits for a core.
    queue.finished(a0);
    queue.finished(a1);
    queue.request(a1);
    expect(log).toHaveLength(4);
  });

  it("a worker's own job does not count twice: its warm-up and its job share its core", () => {
    const log: string[] = [];
    const queue = new WarmUpQueue(2);
    const [a0, a1] = [worker('a0', log), worker('a1', log)];
    queue.request(a0);
    queue.request(a1);
    queue.setBusy(a0, true);
    expect(log).toEqual(['start a0', 'start a1']);
  });

  it('asking twice queues once; a withdrawn worker is neither counted nor started', () => {
    const log: string[] = [];
    const queue = new WarmUpQueue(1);
    const [a0, a1, a2] = ['a0', 'a1', 'a2'].map((name) => worker(name, log));
    queue.setBusy(a0, true);
    queue.request(a1);
    queue.request(a1);
    queue.request(a2);
    expect(queue.counts.waiting).toBe(2);
    queue.withdraw(a1);
    queue.withdraw(a0);
    expect(log).toEqual(['start a2']);
    expect(queue.counts).toEqual({ busy: 0, waiting: 0, warming: 1, stopping: 0 });
  });
});
