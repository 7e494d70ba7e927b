/**
 * Turns raw Prometheus and InfluxDB HTTP answers into the data frames Grafana's datasources hand to a panel, so the
 * browser tests feed the panel what it gets in a dashboard. Modelled on Grafana 12's backend converters:
 * - Prometheus (promlib): one frame per series; fields "Time" (time, config.interval = step) and "Value" (number)
 *   with the series' labels (including __name__); with the default verbose legend the value field's
 *   displayNameFromDS and the frame name are `metric{a="x", b="y"}` (labels sorted, __name__ left out).
 * - InfluxQL: one frame per series and value column; fields "Time" and "Value" with the tags as labels; name and
 *   displayNameFromDS `measurement.column { tag: value, ... }`.
 * The frames are plain JSON (they cross page.evaluate); field types are @grafana/data FieldType's string values.
 */

/** Structurally a @grafana/data DataFrame (FieldType 'time' / 'number' are that enum's values). */
export interface PanelFrame {
  name?: string;
  refId: string;
  meta?: Record<string, unknown>;
  length: number;
  fields: PanelField[];
}

export interface PanelField {
  name: string;
  type: 'time' | 'number';
  /** null: a missing value (an empty InfluxDB GROUP BY bucket), as Grafana keeps it. */
  values: Array<number | null>;
  labels?: Record<string, string>;
  config: Record<string, unknown>;
}

export interface PrometheusRangeQuery {
  url: string;
  expr: string;
  startMs: number;
  endMs: number;
  stepMs: number;
}

interface PrometheusMatrixAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/** GET /api/v1/query_range and convert the matrix, as Grafana's Prometheus datasource does. */
export async function queryPrometheusFrames(query: PrometheusRangeQuery, refId = 'A'): Promise<PanelFrame[]> {
  const params = new URLSearchParams({
    query: query.expr,
    start: String(query.startMs / 1000),
    end: String(query.endMs / 1000),
    step: `${query.stepMs / 1000}s`,
  });
  const response = await fetch(`${query.url}/api/v1/query_range?${params}`);
  const answer = (await response.json()) as PrometheusMatrixAnswer;
  if (!response.ok || answer.status !== 'success' || !answer.data) {
    throw new Error(
      `Prometheus query_range ${query.expr} failed (HTTP ${response.status}): ${answer.error ?? 'no data'}`
    );
  }
  if (answer.data.resultType !== 'matrix') {
    throw new Error(`Prometheus answered a ${answer.data.resultType}, expected a matrix, for ${query.expr}`);
  }
  return prometheusMatrixToFrames(answer.data.result, { refId, expr: query.expr, stepMs: query.stepMs });
}

export function prometheusMatrixToFrames(
  result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>,
  { refId, expr, stepMs }: { refId: string; expr: string; stepMs: number }
): PanelFrame[] {
  return result.map(({ metric, values }) => {
    const name = prometheusLegend(metric, expr);
    return {
      name,
      refId,
      meta: {
        type: 'timeseries-multi',
        typeVersion: [0, 1],
        executedQueryString: `Expr: ${expr}\nStep: ${stepMs / 1000}s`,
      },
      length: values.length,
      fields: [
        {
          name: 'Time',
          type: 'time',
          values: values.map(([seconds]) => Math.round(seconds * 1000)),
          config: { interval: stepMs },
        },
        {
          name: 'Value',
          type: 'number',
          values: values.map(([, text]) => parsePrometheusNumber(text)),
          labels: { ...metric },
          config: { displayNameFromDS: name },
        },
      ],
    };
  });
}

/** Grafana's verbose legend: `metric{a="x", b="y"}`; the query itself when the series has no labels at all. */
function prometheusLegend(metric: Record<string, string>, expr: string): string {
  const { __name__: metricName = '', ...labels } = metric;
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => `${label}=${JSON.stringify(labels[label])}`);
  const legend = `${metricName}{${pairs.join(', ')}}`;
  return legend === '{}' ? expr : legend;
}

/** Prometheus sends sample values as strings, with +Inf / -Inf / NaN spelled out. */
function parsePrometheusNumber(text: string): number {
  if (text === '+Inf') {
    return Infinity;
  }
  if (text === '-Inf') {
    return -Infinity;
  }
  return Number(text);
}

export interface InfluxQLQuery {
  url: string;
  database: string;
  query: string;
}

interface InfluxQLAnswer {
  error?: string;
  results?: Array<{
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
}

/** GET /query (epoch=ms, as Grafana asks) and convert the series, as Grafana's InfluxQL datasource does. */
export async function queryInfluxQLFrames(query: InfluxQLQuery, refId = 'A'): Promise<PanelFrame[]> {
  const params = new URLSearchParams({ db: query.database, q: query.query, epoch: 'ms' });
  const response = await fetch(`${query.url}/query?${params}`);
  const answer = (await response.json()) as InfluxQLAnswer;
  const statementError = answer.error ?? answer.results?.find((result) => result.error)?.error;
  if (!response.ok || statementError) {
    throw new Error(`InfluxQL ${query.query} failed (HTTP ${response.status}): ${statementError ?? 'unknown error'}`);
  }
  return influxQLSeriesToFrames(answer.results?.[0]?.series ?? [], { refId, query: query.query });
}

export function influxQLSeriesToFrames(
  series: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>,
  { refId, query }: { refId: string; query: string }
): PanelFrame[] {
  const frames: PanelFrame[] = [];
  for (const row of series) {
    const timeColumn = row.columns.indexOf('time');
    if (timeColumn < 0) {
      throw new Error(`InfluxQL series ${row.name} has no time column (columns: ${row.columns.join(', ')})`);
    }
    const times = row.values.map((value) => Number(value[timeColumn]));
    row.columns.forEach((column, index) => {
      if (index === timeColumn) {
        return;
      }
      const name = influxQLFrameName(row.name, column, row.tags ?? {});
      frames.push({
        name,
        refId,
        meta: { executedQueryString: query },
        length: times.length,
        fields: [
          { name: 'Time', type: 'time', values: times, config: {} },
          {
            name: 'Value',
            type: 'number',
            // InfluxDB sends null for an empty GROUP BY time() bucket; Grafana keeps the null.
            values: row.values.map((value) => (value[index] === null ? null : Number(value[index]))),
            labels: { ...(row.tags ?? {}) },
            config: { displayNameFromDS: name },
          },
        ],
      });
    });
  }
  return frames;
}

function influxQLFrameName(measurement: string, column: string, tags: Record<string, string>): string {
  const pairs = Object.keys(tags)
    .sort()
    .map((tag) => `${tag}: ${tags[tag]}`);
  return pairs.length === 0 ? `${measurement}.${column}` : `${measurement}.${column} { ${pairs.join(', ')} }`;
}
