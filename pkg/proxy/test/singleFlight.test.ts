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
});
