import { AnnotatedRegions, regionKey } from '../regionDedupe';

describe('AnnotatedRegions', () => {
  const cpu = { series: 'cpu', start: 1000, end: 3000 };
  const mem = { series: 'mem', start: 1000, end: 2000 };

  it('hands out each region once, across refreshes, even when it grows at its end', () => {
    const written = new AnnotatedRegions();
    expect(written.take([cpu, mem])).toEqual([cpu, mem]);
    expect(written.take([{ ...cpu, end: 5000 }, mem])).toEqual([]);
    const later = { series: 'cpu', start: 9000, end: 9000 };
    expect(written.take([cpu, later])).toEqual([later]);
  });

  it('does not repeat a region listed twice in one batch', () => {
    expect(new AnnotatedRegions().take([cpu, { ...cpu }])).toEqual([cpu]);
  });

  it('remembers keys restored from storage and retries a forgotten (failed) write', () => {
    const written = new AnnotatedRegions([regionKey(cpu)]);
    expect(written.take([cpu])).toEqual([]);
    written.forget(cpu);
    expect(written.take([cpu])).toEqual([cpu]);
  });

  it('keeps at most `capacity` keys, dropping the oldest', () => {
    const written = new AnnotatedRegions([], 2);
    written.take([
      { series: 's', start: 1, end: 1 },
      { series: 's', start: 2, end: 2 },
      { series: 's', start: 3, end: 3 },
    ]);
    expect(written.keys()).toEqual(['s@2', 's@3']);
  });
});
