import { FieldType } from '@grafana/data';
import { prometheusFrame } from '../../testing/frames';
import { observedStepMs, toAlertSourceQuery, visibleTargets } from '../panelQuery';

const expandJobVariable = (text: string) => text.replace('$job', 'node');

describe('toAlertSourceQuery', () => {
  it("takes a Prometheus target's expr with the dashboard variables expanded", () => {
    const target = { refId: 'A', expr: 'up{job="$job"}' };
    expect(toAlertSourceQuery({ target, datasourceType: 'prometheus' }, expandJobVariable)).toEqual({
      language: 'promql',
      expr: 'up{job="node"}',
    });
  });

  it('takes a raw InfluxQL query and the upstream name', () => {
    const target = { refId: 'B', query: 'SELECT mean(v) FROM m WHERE $timeFilter', rawQuery: true };
    expect(toAlertSourceQuery({ target, datasourceType: 'influxdb' }, expandJobVariable, ' influx ')).toEqual({
      language: 'influxql',
      statement: 'SELECT mean(v) FROM m WHERE $timeFilter',
      upstream: 'influx',
    });
  });

  it('says how to fix queries the proxy cannot wrap', () => {
    const source = (target: object, datasourceType: string, influxLanguage?: string) => () =>
      toAlertSourceQuery({ target: { refId: 'A', ...target }, datasourceType, influxLanguage }, expandJobVariable);
    expect(source({ query: 'x', rawQuery: false }, 'influxdb')).toThrow('switch it to raw mode');
    expect(source({ query: 'from(bucket:"b")', rawQuery: true }, 'influxdb', 'Flux')).toThrow(
      'Query A is Flux; the anomaly proxy wraps InfluxQL only'
    );
    expect(source({ expr: '' }, 'prometheus')).toThrow('Query A has no PromQL expression');
    expect(source({ rawSql: 'SELECT 1' }, 'grafana-postgresql-datasource')).toThrow(
      'uses a grafana-postgresql-datasource datasource'
    );
  });

  it('leaves hidden targets out', () => {
    expect(visibleTargets([{ refId: 'A' }, { refId: 'B', hide: true }]).map((t) => t.refId)).toEqual(['A']);
  });
});

describe('observedStepMs', () => {
  /** A frame of query `refId` with points at `times` (no interval on its time field). */
  const framed = (refId: string, times: number[]) => ({
    refId,
    length: times.length,
    fields: [
      { name: 'time', type: FieldType.time, values: times, config: {} },
      { name: 'v', type: FieldType.number, values: times.map((_, i) => i + 1), config: {} },
    ],
  });

  it('reads the step Grafana put on the time field', () => {
    expect(observedStepMs([prometheusFrame([1, 2, 3], { __name__: 'a' }, 'A')], 'A')).toBe(60_000);
  });

  it("falls back to the median gap between that query's points (the step the panel trains at too)", () => {
    const frame = framed('B', [0, 30_000, 40_000, 100_000]);
    expect(observedStepMs([frame], 'B')).toBe(30_000); // gaps 30 s, 10 s, 60 s
    expect(observedStepMs([frame], 'A')).toBeUndefined();
  });

  it('reads newest-first frames (streaming) too', () => {
    const frame = framed('C', [300_000, 240_000, 180_000, 120_000]);
    expect(observedStepMs([frame], 'C')).toBe(60_000);
  });
});
