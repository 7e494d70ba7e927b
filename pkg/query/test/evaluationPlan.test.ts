import { featureHistoryRows } from '@telemetry-analyzer/engine';
import { parse as parseYaml } from 'yaml';
import { ServiceConfigReader, type ServiceConfig } from '../src/config';
import { PromApiError, QueryParseError } from '../src/errors';
import { parseQuery, type AnomalyQuery } from '../src/query/anomalyQuery';
import {
  INSTANT_LOOKBACK_MS,
  instantGridEnd,
  chooseUpstream,
  resolveSettings,
  scoredRange,
  trainingRange,
  fewestTrainingPoints,
} from '../src/query/evaluationPlan';
import { UpstreamHttp } from '../src/upstreams/upstreamHttp';

const config: ServiceConfig = new ServiceConfigReader({}).readService(
  parseYaml(
    [
      'defaultUpstream: prom',
      'upstreams:',
      '  prom: { type: prometheus, url: "http://127.0.0.1:47" }',
      '  influx: { type: influxdb, url: "http://127.0.0.1:8", influx: { database: telemetry } }',
      'limits: { maxPointsPerSeries: 100, maxTrainingPointsPerSeries: 1000 }',
    ].join('\n')
  ),
  'evaluationPlan test',
  9095
);
const upstreams = new Map(
  Object.values(config.upstreams).map((u) => [u.name, new UpstreamHttp(u, () => undefined)] as const)
);

function anomalyQuery(text: string): AnomalyQuery {
  const parsed = parseQuery(text);
  if (parsed.kind !== 'anomaly') {
    throw new Error(`not an anomaly query: ${text}`);
  }
  return parsed.query;
}

describe('evaluation plan', () => {
  it("fills in the engine's defaults where the query names no option, and takes the query's where it does", () => {
    const range = { kind: 'range' as const, startMs: 0, endMs: 3_600_000, stepMs: 60_000 };
    const defaults = resolveSettings(config.engine, anomalyQuery('anomaly_score(cpu)'), range);
    expect(defaults).toMatchObject({
      contamination: config.engine.contamination,
      trees: config.engine.trees,
      stepMs: 60_000,
      mode: 'per-series',
      training: { windowMs: config.engine.trainingWindowMs },
    });
    const chosen = resolveSettings(config.engine, anomalyQuery('anomaly_score(cpu, trees=50, train="2d")'), range);
    expect(chosen).toMatchObject({ trees: 50, training: { windowMs: 2 * 86_400_000 } });
    const instant = resolveSettings(config.engine, anomalyQuery('anomaly_score(cpu)'), { kind: 'instant', timeMs: 0 });
    expect(instant.stepMs).toBe(config.engine.instantStepMs);
  });

  it('answers an instant query from the lookback before its time, and refuses a range with too many points', () => {
    // 1e9 ms is 16 666 min 40 s: off every grid below, as an alert evaluated at :40 is.
    expect(scoredRange(config.limits, { kind: 'instant', timeMs: 1e9 }, 60_000)).toEqual({
      scoreStart: 999_960_000 - INSTANT_LOOKBACK_MS,
      scoreEnd: 999_960_000,
    });
    const tooLong = { kind: 'range' as const, startMs: 0, endMs: 100 * 60_000, stepMs: 60_000 }; // 101 points
    expect(() => scoredRange(config.limits, tooLong, 60_000)).toThrow(/maximum resolution of 100 points/);
    // The step= option's step, even when it equals the request's: a larger request step would not help.
    const stepOption = { positions: { step: 25 }, step: 'option' as const };
    expect(() => scoredRange(config.limits, tooLong, 60_000, stepOption)).toThrow(
      new QueryParseError(
        25,
        'the step= option (1m) gives 101 points per timeseries over this range, more than 100 (limits.maxPointsPerSeries): use a larger step= or a shorter range'
      )
    );
    // An instant query's lookback at its step= option's step is held to the same limit: 5 min at 3 s = 101 points.
    const instant = { kind: 'instant' as const, timeMs: 1e9 };
    expect(() => scoredRange(config.limits, instant, 3_000, stepOption)).toThrow(
      new QueryParseError(
        25,
        'an instant query scores the last 5 minutes at step 3s: 101 points per timeseries, more than 100 (limits.maxPointsPerSeries). Use a larger step='
      )
    );
    // At engine.instantStep (no step= option): named, with no position in the query.
    expect(() => scoredRange(config.limits, instant, 3_000, { positions: {}, step: 'instantStep' })).toThrow(
      'an instant query scores the last 5 minutes at step 3s (engine.instantStep): 101 points per timeseries'
    );
    expect(scoredRange(config.limits, { kind: 'instant', timeMs: 1e9 }, 3_030).scoreEnd).toBe(999_999_990);
    // A step over the 5-minute lookback scores its last grid point alone (a review: from t - 5m, such a step scored
    // only t - 5m, which the lookback leaves out: always an empty answer; toVector looks back a step then).
    expect(scoredRange(config.limits, { kind: 'instant', timeMs: 1e9 }, 600_000)).toEqual({
      scoreStart: 999_600_000,
      scoreEnd: 999_600_000,
    });
    expect(scoredRange(config.limits, { kind: 'instant', timeMs: 1e9 }, 45_000).scoreStart).toBe(999_990_000 - 270_000);
  });

  it("scores an instant query up to the epoch's step grid, the one Grafana aligns a panel's range to", () => {
    // An alert evaluated at any second of the minute scores the panel's grid points: the same rows and warm-up.
    const minute = 28_000_000 * 60_000;
    for (const second of [0, 1, 30, 59]) {
      const time = minute + second * 1000;
      expect(instantGridEnd(time, 60_000)).toBe(minute);
      expect(scoredRange(config.limits, { kind: 'instant', timeMs: time }, 60_000).scoreEnd).toBe(minute);
    }
    expect(instantGridEnd(minute + 7 * 60_000 + 5_000, 7 * 60_000)).toBe(minute + 7 * 60_000);
  });

  /** The settings of `query` evaluated over a range at a 1-minute step. */
  const settingsOf = (query: string) =>
    resolveSettings(config.engine, anomalyQuery(query), { kind: 'range', startMs: 0, endMs: 0, stepMs: 60_000 });

  /** trainingRange for data (the scored range with its feature history) starting at `dataStartMs`. */
  const trainingOfData = (
    settings: ReturnType<typeof settingsOf>,
    dataStartMs: number,
    interval: number,
    now: number
  ) =>
    trainingRange(config.limits, settings, dataStartMs + featureHistoryRows(settings) * settings.stepMs, interval, now);

  it('trains a relative window up to the step before the fetched data, and refuses one over the point limit', () => {
    const settings = settingsOf('anomaly_score(cpu, train="10h")');
    // Without a retrain interval: right up to that step.
    expect(trainingOfData(settings, 36_000_000 + 60_000, 0, Infinity)).toEqual({
      startMs: 0,
      endMs: 36_000_000,
    });
    const long = { ...settings, training: { windowMs: 2000 * 60_000 } };
    expect(() => trainingRange(config.limits, long, 1e12, 0, Infinity)).toThrow(PromApiError);
    expect(() => trainingRange(config.limits, long, 1e12, 0, Infinity)).toThrow(/limits\.maxTrainingPointsPerSeries/);
  });

  it.each([
    ['train="1ms"', 1, 19],
    ['window=1440, train="1h"', 61, 1447],
    ['lags=100, train="90m"', 91, 108],
    ['train_start=1796600000, train_end=1796600001', 1, 19],
  ])('refuses a training range of fewer points than the options train on: %s', (options, points, fewest) => {
    // An attack review: each answered 200 with no series and a warning at every evaluation ("No data" in an alert).
    const settings = settingsOf(`anomaly_score(cpu, ${options})`);
    expect(fewestTrainingPoints(settings)).toBe(fewest);
    expect(() => trainingOfData(settings, 1e12, 0, Infinity)).toThrow(
      new RegExp(`is ${points} points per series; these options train on at least ${fewest} \\(`)
    );
  });

  it("ends a relative window at the start of its retrain interval: a query's own range decides its model", () => {
    const settings = settingsOf('anomaly_score(cpu, train="10h")');
    const HOUR = 3_600_000;
    const at = (dataStartMs: number) => trainingOfData(settings, dataStartMs, HOUR, 1e15);
    // Data starting anywhere in one interval (after its first step): one training range, whoever asks first.
    expect(at(20 * HOUR + 60_000)).toEqual({ startMs: 10 * HOUR, endMs: 20 * HOUR });
    expect(at(21 * HOUR)).toEqual({ startMs: 10 * HOUR, endMs: 20 * HOUR });
    // A query over last week trains its own model, never the one of a query over now.
    expect(at(21 * HOUR + 60_000)).toEqual({ startMs: 11 * HOUR, endMs: 21 * HOUR });
    expect(at(21 * HOUR - 7 * 24 * HOUR)).toEqual({ startMs: 10 * HOUR - 168 * HOUR, endMs: 20 * HOUR - 168 * HOUR });
    // Fixed ranges are what they say.
    const fixed = settingsOf('anomaly_score(cpu, train_start=3600, train_end=7200)');
    expect(trainingRange(config.limits, fixed, 50 * HOUR, HOUR, 1e15)).toEqual({ startMs: HOUR, endMs: 2 * HOUR });
    // Data in the future: the window ends at the interval that holds now, never at a later one.
    expect(trainingOfData(settings, 30 * HOUR, HOUR, 20 * HOUR + 35 * 60_000)).toEqual({
      startMs: 10 * HOUR,
      endMs: 20 * HOUR,
    });
  });

  it('sends InfluxQL to the one InfluxDB upstream and PromQL to the default, and refuses the wrong kind', () => {
    expect(chooseUpstream(upstreams, config.defaultUpstream, anomalyQuery('anomaly_score(cpu)')).name).toBe('prom');
    const influx = anomalyQuery(
      'anomaly_score(influxql("SELECT mean(v) FROM cpu WHERE $timeFilter GROUP BY time($__interval)"))'
    );
    expect(chooseUpstream(upstreams, config.defaultUpstream, influx).name).toBe('influx');
    expect(() =>
      chooseUpstream(upstreams, config.defaultUpstream, anomalyQuery('anomaly_score(cpu, upstream="influx")'))
    ).toThrow(QueryParseError);
    expect(() =>
      chooseUpstream(upstreams, config.defaultUpstream, anomalyQuery('anomaly_score(cpu, upstream="nope")'))
    ).toThrow(/unknown upstream "nope"; configured upstreams: prom, influx/);
  });
});
