/**
 * What the alert copies from the panel: the query it wraps and the step the panel's data came at. Pure functions of
 * the panel's targets and frames (template variables are expanded by the caller's `interpolate`).
 */
import type { DataFrame } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { type AlertSourceQuery, AlertRuleBuildError } from './anomalyExpression';
import { dataStepMs } from '../data/dataStep';

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
  interpolate: (text: string, language: 'promql' | 'influxql') => string,
  influxUpstream?: string
): AlertSourceQuery {
  const { target, datasourceType } = source;
  if (datasourceType === 'prometheus') {
    if (typeof target.expr !== 'string' || target.expr.trim() === '') {
      throw new AlertRuleBuildError(`Query ${target.refId} has no PromQL expression`);
    }
    return { language: 'promql', expr: interpolate(target.expr, 'promql') };
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
    return {
      language: 'influxql',
      statement: interpolate(target.query, 'influxql'),
      ...(upstream ? { upstream } : {}),
    };
  }
  throw new AlertRuleBuildError(
    `Query ${target.refId} uses a ${datasourceType ?? 'unknown'} datasource; alert rules can wrap Prometheus or InfluxQL queries`
  );
}

/** The step of one query's data (dataStepMs, the same the panel trains at), undefined when unknown. */
export function observedStepMs(frames: DataFrame[], refId: string): number | undefined {
  return dataStepMs(frames.filter((f) => f.refId === refId));
}
