/**
 * What the alert copies from the panel: the query it wraps and the step the panel's data came at. Pure functions of
 * the panel's targets and frames (template variables are expanded by the caller's `interpolate`).
 */
import { type DataFrame, FieldType } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { type AlertSourceQuery, AlertRuleBuildError } from './anomalyExpression';

/** Prometheus targets carry `expr`; InfluxQL targets `query` and `rawQuery` (true = written by hand). */
type PanelTarget = DataQuery & { expr?: unknown; query?: unknown; rawQuery?: unknown };

export interface TargetSource {
  target: PanelTarget;
  /** Plugin type of the target's datasource, e.g. "prometheus" or "influxdb". */
  datasourceType: string | undefined;
  /** InfluxDB datasources: "InfluxQL" (or unset), "Flux" or "SQL". */
  influxLanguage?: string;
}

/** The targets an alert can be made from: those the panel runs (hidden ones are not shown either). */
export function visibleTargets<T extends DataQuery>(targets: T[]): T[] {
  return targets.filter((t) => !t.hide);
}

/** The panel query as the alert's inner query, or an error saying how to make it usable. */
export function toAlertSourceQuery(
  source: TargetSource,
  interpolate: (text: string) => string,
  influxUpstream?: string
): AlertSourceQuery {
  const { target, datasourceType } = source;
  if (datasourceType === 'prometheus') {
    if (typeof target.expr !== 'string' || target.expr.trim() === '') {
      throw new AlertRuleBuildError(`Query ${target.refId} has no PromQL expression`);
    }
    return { language: 'promql', expr: interpolate(target.expr) };
  }
  if (datasourceType === 'influxdb') {
    const language = source.influxLanguage ?? 'InfluxQL';
    if (language !== 'InfluxQL') {
      throw new AlertRuleBuildError(
        `Query ${target.refId} is ${language}; the anomaly proxy wraps InfluxQL only (an InfluxDB 1.x upstream)`
      );
    }
    if (target.rawQuery !== true || typeof target.query !== 'string') {
      throw new AlertRuleBuildError(
        `Query ${target.refId} is built with the visual editor: switch it to raw mode (pencil icon) so the alert can copy the InfluxQL text`
      );
    }
    const upstream = influxUpstream?.trim();
    return { language: 'influxql', statement: interpolate(target.query), ...(upstream ? { upstream } : {}) };
  }
  throw new AlertRuleBuildError(
    `Query ${target.refId} uses a ${datasourceType ?? 'unknown'} datasource; alert rules can wrap Prometheus or InfluxQL queries`
  );
}

/**
 * The resolution of the query's data in ms: the time field's `interval` (Grafana's Prometheus datasource sets it to
 * the step), else the smallest gap between points; undefined before data arrived.
 */
export function observedStepMs(frames: DataFrame[], refId: string): number | undefined {
  let smallest: number | undefined;
  for (const frame of frames.filter((f) => f.refId === refId)) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    if (typeof time.config.interval === 'number' && time.config.interval > 0) {
      return time.config.interval;
    }
    const values = time.values as number[];
    for (let i = 1; i < values.length; i++) {
      const gap = values[i] - values[i - 1];
      if (gap > 0 && (smallest === undefined || gap < smallest)) {
        smallest = gap;
      }
    }
  }
  return smallest;
}
