import { parseQuery, type AnomalyQuery } from '../src/query/anomalyQuery';
import { overFlaggingNotice, toMatrix, toVector, withoutMetricNames } from '../src/query/answerShape';
import { INSTANT_LOOKBACK_MS } from '../src/query/evaluationPlan';

function anomalyQuery(text: string): AnomalyQuery {
  const parsed = parseQuery(text);
  if (parsed.kind !== 'anomaly') {
    throw new Error(`not an anomaly query: ${text}`);
  }
  return parsed.query;
}

const series = (labels: Record<string, string>, timestamps: number[], values: number[]) => ({
  labels,
  timestamps: Float64Array.from(timestamps),
  values: Float64Array.from(values),
});

describe('answer shape', () => {
  it('writes a matrix in seconds with values as Prometheus writes them, dropping series left empty', () => {
    const answer = toMatrix(
      anomalyQuery('anomaly_score(cpu)'),
      [series({ host: 'a' }, [60_000, 120_000], [0.5, NaN]), series({ host: 'b' }, [], [])],
      ['w']
    );
    expect(answer).toEqual({
      resultType: 'matrix',
      result: [
        { metric: { host: 'a' }, timestamps: Float64Array.of(60_000, 120_000), values: Float64Array.of(0.5, NaN) },
      ],
      warnings: ['w'],
    });
  });

  it('applies a trailing comparison as PromQL does: filtering, or 0/1 with bool', () => {
    const flags = [series({ host: 'a' }, [60_000, 120_000, 180_000], [0, 1, 0])];
    expect(toMatrix(anomalyQuery('anomaly_flag(cpu) > 0'), flags, []).result).toEqual([
      { metric: { host: 'a' }, timestamps: Float64Array.of(120_000), values: Float64Array.of(1) },
    ]);
    expect(toMatrix(anomalyQuery('anomaly_flag(cpu) == bool 0'), flags, []).result).toEqual([
      {
        metric: { host: 'a' },
        timestamps: Float64Array.of(60_000, 120_000, 180_000),
        values: Float64Array.of(1, 0, 1),
      },
    ]);
    // A comparison that keeps nothing drops the series, as PromQL does.
    expect(toMatrix(anomalyQuery('anomaly_flag(cpu) > 1'), flags, []).result).toEqual([]);
  });

  it("answers an instant PromQL query with each series' point at the step grid's end, at the evaluation time", () => {
    // Each point of a PromQL query is already Prometheus' latest sample within its lookback: a series without a point
    // at the grid's end is one Prometheus no longer answers for (looking back again answered for ~5 minutes more).
    const timeMs = 10 * INSTANT_LOOKBACK_MS + 30_000;
    const gridEnd = 10 * INSTANT_LOOKBACK_MS;
    const fresh = series({ host: 'a' }, [gridEnd - 60_000, gridEnd], [0.4, 0.7]);
    const gone = series({ host: 'b' }, [gridEnd - 120_000, gridEnd - 60_000], [0.9, 0.8]);
    expect(toVector(anomalyQuery('anomaly_score(cpu)'), [fresh, gone], timeMs, 60_000, []).result).toEqual([
      { metric: { host: 'a' }, value: [timeMs / 1000, '0.7'] },
    ]);
  });

  it("answers an instant InfluxQL query with each series' latest sample within the lookback, as Prometheus would", () => {
    // InfluxQL answers with the samples themselves: the lookback is applied once, here.
    const influx = anomalyQuery('anomaly_score(influxql("SELECT v FROM m WHERE $timeFilter"), upstream="influx")');
    const timeMs = 10 * INSTANT_LOOKBACK_MS;
    const fresh = series({ host: 'a' }, [timeMs - 4 * 60_000, timeMs - 3 * 60_000], [0.4, 0.7]);
    const stale = series({ host: 'b' }, [timeMs - INSTANT_LOOKBACK_MS], [0.9]);
    expect(toVector(influx, [fresh, stale], timeMs, 60_000, []).result).toEqual([
      { metric: { host: 'a' }, value: [timeMs / 1000, '0.7'] },
    ]);
  });

  it('takes the last grid point of a step longer than the lookback: at most a step old', () => {
    const timeMs = 10 * 3_600_000 + 9 * 60_000;
    const hourly = series({ host: 'a' }, [10 * 3_600_000], [0.6]); // 9 minutes before the evaluation
    expect(toVector(anomalyQuery('anomaly_score(cpu)'), [hourly], timeMs, 3_600_000, []).result).toEqual([
      { metric: { host: 'a' }, value: [timeMs / 1000, '0.6'] },
    ]);
    expect(toVector(anomalyQuery('anomaly_score(cpu)'), [hourly], timeMs, 60_000, []).result).toEqual([]);
  });

  it('drops __name__ unless two series would then have the same labels', () => {
    const shaped = withoutMetricNames([
      series({ __name__: 'cpu', host: 'a' }, [], []),
      series({ __name__: 'mem', host: 'b' }, [], []),
      series({ __name__: 'mem', host: 'a' }, [], []),
    ]);
    expect(shaped.map((s) => s.labels)).toEqual([
      { __name__: 'cpu', host: 'a' },
      { host: 'b' },
      { __name__: 'mem', host: 'a' },
    ]);
  });

  it('warns, naming the unit, when a unit flags far more than its contamination', () => {
    expect(overFlaggingNotice({ host: 'a' }, { flagged: 1, rows: 100 }, 0.01)).toBeUndefined();
    expect(overFlaggingNotice({ host: 'a' }, { flagged: 30, rows: 100 }, 0.01)).toMatch(/^\{host="a"\}: /);
  });
});
