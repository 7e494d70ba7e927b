/**
 * Reading series from an InfluxDB 1.x upstream with an InfluxQL statement. Grafana's macros are substituted:
 * `$timeFilter` → `time >= <start>ms AND time <= <end>ms`, `$interval`/`$__interval` → the step (e.g. `60s`),
 * `$__interval_ms` → the step in ms. Each returned series × field column becomes one Prometheus series:
 * labels = the series' tags, `__name__` = `<measurement>_<field>` with characters outside [A-Za-z0-9_:] as `_`.
 */
import { PromApiError, badData } from '../errors';
import { formatDuration } from '../time';
import { Series, labelsKey } from './series';
import { type StatementLimits, InfluxqlError, checkReadOnlySelect } from './influxql/readOnlySelect';
import { UpstreamHttp } from './upstreamHttp';

export function substituteInfluxMacros(statement: string, startMs: number, endMs: number, stepMs: number): string {
  return statement
    .replace(/\$timeFilter\b/g, `time >= ${Math.floor(startMs)}ms AND time <= ${Math.ceil(endMs)}ms`)
    .replace(/\$__interval_ms\b/g, String(stepMs))
    .replace(/\$__interval\b|\$interval\b/g, formatDuration(stepMs));
}

export async function influxQuery(
  http: UpstreamHttp,
  statement: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  /** What the statement may make InfluxDB compute, with the range its $timeFilter covers (costLimits influxqlLimits). */
  limits: StatementLimits,
  signal?: AbortSignal
): Promise<Series[]> {
  const influx = http.config.influx!;
  // The gate every statement passes on its way to InfluxDB (the request checked it before, with positions, but
  // without the range): checked as written, with its macros, which the proxy then fills in with its own values.
  try {
    checkReadOnlySelect(statement, influx, limits);
  } catch (error) {
    throw error instanceof InfluxqlError ? badData(`upstream "${http.name}": ${error.message}`) : error;
  }
  const q = substituteInfluxMacros(statement, startMs, endMs, stepMs);
  const params = new URLSearchParams({ db: influx.database, q, epoch: 'ms' });
  if (influx.retentionPolicy) {
    params.set('rp', influx.retentionPolicy);
  }
  const response = await http.send('/query', params, 'GET', signal);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw http.badAnswer(`HTTP ${response.status}, body is not JSON`);
  }
  const answer = json as { error?: string; results?: Array<{ error?: string; series?: InfluxSeries[] }> };
  if (typeof answer.error === 'string') {
    // InfluxDB answers 400 for statements it cannot parse, 401/403 for auth, 5xx for its own trouble.
    if (response.status >= 500) {
      throw http.badAnswer(`HTTP ${response.status}: ${answer.error}`);
    }
    throw new PromApiError(
      response.status >= 400 ? response.status : 422,
      response.status === 400 ? 'bad_data' : 'execution',
      `upstream "${http.name}": ${answer.error}`
    );
  }
  if (response.status >= 400 || !Array.isArray(answer.results)) {
    throw http.badAnswer(`HTTP ${response.status} without "results"`);
  }
  const series: Series[] = [];
  // Where each label set came from: two columns whose names differ only in characters outside [A-Za-z0-9_:] (AS
  // "x.y" and AS "x_y") would become one series twice, which Prometheus never answers, and share one model.
  const origins = new Map<string, string>();
  for (const result of answer.results) {
    if (typeof result.error === 'string') {
      throw new PromApiError(422, 'execution', `upstream "${http.name}": ${result.error}`);
    }
    for (const item of result.series ?? []) {
      const converted = convertInfluxSeries(http, item);
      converted.forEach((one, k) => {
        const key = labelsKey(one.labels);
        const origin = `column ${JSON.stringify(item.columns?.[k + 1])} of ${JSON.stringify(item.name ?? 'influx')}`;
        const earlier = origins.get(key);
        if (earlier !== undefined && earlier !== origin) {
          throw new PromApiError(
            422,
            'execution',
            `upstream "${http.name}": ${earlier} and ${origin} both become the series ${key} ` +
              '(vector cannot contain metrics with the same labelset): name one of them apart with AS'
          );
        }
        origins.set(key, origin);
      });
      series.push(...converted);
    }
  }
  return series;
}

interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}

function convertInfluxSeries(http: UpstreamHttp, item: InfluxSeries): Series[] {
  if (!Array.isArray(item.columns) || !Array.isArray(item.values) || item.columns[0] !== 'time') {
    throw http.badAnswer('a series lacks "columns" starting with "time", or "values"');
  }
  const result: Series[] = [];
  for (let column = 1; column < item.columns.length; column++) {
    const name = `${item.name ?? 'influx'}_${item.columns[column]}`.replace(/[^A-Za-z0-9_:]/g, '_');
    // Empty tag values mean "no such tag" (as Prometheus treats empty labels).
    const tags = Object.fromEntries(Object.entries(item.tags ?? {}).filter(([, value]) => value !== ''));
    const series: Series = { labels: { ...tags, __name__: name }, timestamps: [], values: [] };
    for (const row of item.values) {
      const value = row[column];
      if (typeof row[0] !== 'number') {
        throw http.badAnswer('a time value is not epoch milliseconds');
      }
      if (typeof value === 'number') {
        series.timestamps.push(row[0]);
        series.values.push(value);
      }
    }
    result.push(series);
  }
  return result;
}
