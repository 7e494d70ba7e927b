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
