import { SingleFlight } from '../src/models/singleFlight';

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers of the same key', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    let release!: (value: number) => void;
    const work = () => {
      runs++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = flight.run('k', work);
    const second = flight.run('k', work);
    expect(flight.inFlight).toBe(1);
    release(7);
    await expect(Promise.all([first, second])).resolves.toEqual([7, 7]);
    expect(runs).toBe(1);
    expect(flight.inFlight).toBe(0);
  });

  it('runs different keys separately', async () => {
    const flight = new SingleFlight<string>();
    const results = await Promise.all([flight.run('a', async () => 'A'), flight.run('b', async () => 'B')]);
    expect(results).toEqual(['A', 'B']);
  });

  it('does not cache a failure: the next call runs the work again', async () => {
    const flight = new SingleFlight<string>();
    await expect(flight.run('k', async () => Promise.reject(new Error('upstream down')))).rejects.toThrow(
      'upstream down'
    );
    await expect(flight.run('k', async () => 'recovered')).resolves.toBe('recovered');
  });

  it('turns a synchronous throw into a rejection and forgets it', async () => {
    const flight = new SingleFlight<string>();
    await expect(
      flight.run('k', () => {
        throw new Error('sync');
      })
    ).rejects.toThrow('sync');
    expect(flight.inFlight).toBe(0);
  });

  it('aborts the work once every caller with a signal has left, and rejects each leaver with its reason', async () => {
    const flight = new SingleFlight<number>();
    let workSignal!: AbortSignal;
    const work = (signal: AbortSignal) => {
      workSignal = signal;
      return new Promise<number>(() => undefined);
    };
    const first = new AbortController();
    const second = new AbortController();
    const a = flight.run('k', work, first.signal);
    const b = flight.run('k', work, second.signal);
    first.abort('first gone');
    await expect(a).rejects.toBe('first gone');
    expect(workSignal.aborted).toBe(false);
    second.abort('second gone');
    await expect(b).rejects.toBe('second gone');
    expect(workSignal.aborted).toBe(true);
  });

  it('starts a new flight for a caller coming while an aborted one winds down, which it would have failed with', async () => {
    // An attack review (from the code): the aborted flight stayed in the map until its work settled, and a caller
    // arriving meanwhile joined it and was rejected with the other client's reason.
    const flight = new SingleFlight<number>();
    const ends: Array<(value: number) => void> = [];
    const work = () => new Promise<number>((resolve) => ends.push(resolve));
    const gone = new AbortController();
    const first = flight.run('k', work, gone.signal);
    gone.abort('first client gone');
    await expect(first).rejects.toBe('first client gone');
    expect(flight.inFlight).toBe(0);
    const second = flight.run('k', work);
    expect(ends).toHaveLength(2); // its own work
    ends[0](1); // the aborted work settles late: the new flight stays
    await new Promise((resolve) => setImmediate(resolve));
    expect(flight.inFlight).toBe(1);
    ends[1](2);
    await expect(second).resolves.toBe(2);
    expect(flight.inFlight).toBe(0);
  });

  it('never aborts the work while a caller without a signal waits', async () => {
    const flight = new SingleFlight<number>();
    let workSignal!: AbortSignal;
    let release!: (value: number) => void;
    const work = (signal: AbortSignal) => {
      workSignal = signal;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const leaver = new AbortController();
    const staying = flight.run('k', work);
    const leaving = flight.run('k', work, leaver.signal);
    leaver.abort('gone');
    await expect(leaving).rejects.toBe('gone');
    expect(workSignal.aborted).toBe(false);
    release(3);
    await expect(staying).resolves.toBe(3);
  });
});
