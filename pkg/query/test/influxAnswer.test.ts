import { readInfluxAnswer } from '../src/upstreams/influxUpstream';

/** One document of a chunked InfluxDB answer: series `cpu` of host a with `points` rows from `from` ms. */
function chunk(from: number, points: number): string {
  const values = Array.from({ length: points }, (_, i) => [from + i * 1000, i % 7]);
  return JSON.stringify({
    results: [
      {
        statement_id: 0,
        series: [{ name: 'cpu', tags: { host: 'a' }, columns: ['time', 'value'], values }],
        partial: true,
      },
    ],
  });
}

describe('readInfluxAnswer, a chunked answer (one JSON document a line)', () => {
  it('joins a series continued over documents, however long a document is', () => {
    // 200 000 points in the second document: appending them with a spread overflowed the stack (a review).
    const series = readInfluxAnswer(`${chunk(0, 3)}\n${chunk(3000, 200_000)}\n`);
    expect(Array.isArray(series) && series.length).toBe(1);
    const [cpu] = series as Array<{ labels: Record<string, string>; timestamps: number[] }>;
    expect(cpu.labels).toEqual({ host: 'a', __name__: 'cpu_value' });
    expect(cpu.timestamps).toHaveLength(200_003);
    expect(cpu.timestamps.slice(0, 5)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('says an error in a later document', () => {
    const failed = JSON.stringify({ results: [{ statement_id: 0, error: 'max-select-point limit exceeded' }] });
    expect(readInfluxAnswer(`${chunk(0, 3)}\n${failed}\n`)).toEqual({ execution: 'max-select-point limit exceeded' });
  });

  it('reads one document written over several lines, and says what is not JSON or is cut off', () => {
    const pretty = JSON.stringify(JSON.parse(chunk(0, 2)), null, 2);
    expect(readInfluxAnswer(pretty)).toEqual(readInfluxAnswer(chunk(0, 2)));
    expect(readInfluxAnswer('<html>busy</html>')).toEqual({ badAnswer: 'HTTP 200, body is not JSON' });
    const cut = `${chunk(0, 3)}\n${chunk(3000, 3).slice(0, 40)}`;
    expect(readInfluxAnswer(cut)).toEqual({ badAnswer: 'HTTP 200, body is not JSON' });
  });
});

describe('readInfluxAnswer, rows of several series in one', () => {
  const answer = (values: number[][]) =>
    JSON.stringify({
      results: [{ statement_id: 0, series: [{ name: 'telemetry', columns: ['time', 'cpu'], values }] }],
    });

  it('refuses a series with two rows at one time (a SELECT without GROUP BY the tag), naming the series and the fix', () => {
    // A review (2026-12-07): two hosts' rows at each time, scored as one series: the last row at each time won.
    const twoHosts = answer([
      [60_000, 71.4],
      [60_000, 71.3],
      [120_000, 70.2],
      [120_000, 70.9],
    ]);
    expect(readInfluxAnswer(twoHosts)).toEqual({
      execution:
        'the series {__name__="telemetry_cpu"} has 2 rows at a time it already has (the first at 1970-01-01T00:01:00.000Z): ' +
        'rows of several series in one; GROUP BY the tag that tells them apart (e.g. GROUP BY host), or aggregate them ' +
        'per time with GROUP BY time($interval)',
    });
  });

  it('reads a series in either time order (ORDER BY time DESC) as one series', () => {
    const descending = readInfluxAnswer(
      answer([
        [120_000, 2],
        [60_000, 1],
      ])
    ) as Array<{ timestamps: number[] }>;
    expect(descending.map((s) => s.timestamps)).toEqual([[120_000, 60_000]]);
  });
});
