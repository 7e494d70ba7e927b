/**
 * The anomaly proxy expression that makes an alert evaluate what the panel shows: the panel's query wrapped in
 * anomaly_flag(...) with every detector option written out (never left to the proxy's configurable defaults, which
 * may differ from the panel's). Syntax: docs/proxy.md "Query syntax".
 */
import {
  ANOMALY_INTEGER_LIMITS,
  DEFAULT_OPTION_COST_LIMITS,
  LABEL_NAME,
  formatDuration,
  withinIntegerLimits,
} from '@telemetry-analyzer/engine';
import type { AnomalyOptions } from '../types';

/** The panel query the alert wraps: PromQL as the panel sends it, or a raw InfluxQL statement. */
export type AlertSourceQuery =
  | { language: 'promql'; expr: string }
  | {
      language: 'influxql';
      statement: string;
      /** The proxy's name of the InfluxDB upstream; empty = the proxy's only InfluxDB upstream. */
      upstream?: string;
    };

export interface ExpressionContext {
  /** Length of the dashboard's time range in ms: the training window when the panel trains on the visible range. */
  visibleRangeMs: number;
  /** Resolution of the panel's data in ms: the proxy trains and scores at the same step. */
  stepMs: number;
}

/** A panel setting the proxy cannot reproduce; the message says what to change. */
export class AlertRuleBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertRuleBuildError';
  }
}

/** `anomaly_flag(<query>, contamination=…, train=…, mode=…, …, step="…")`: 1 where anomalous, 0 elsewhere. */
export function buildAnomalyExpression(
  query: AlertSourceQuery,
  options: AnomalyOptions,
  context: ExpressionContext
): string {
  const args = [innerQuery(query), ...detectorArguments(options, context)];
  if (query.language === 'influxql' && query.upstream) {
    args.push(`upstream=${quote(query.upstream)}`);
  }
  return `anomaly_flag(${args.join(', ')})`;
}

function innerQuery(query: AlertSourceQuery): string {
  if (query.language === 'promql') {
    const expr = query.expr.trim();
    if (expr === '') {
      throw new AlertRuleBuildError('The panel query is empty: write the PromQL query first');
    }
    // A PromQL comment ("# …") runs to the end of its line: end the line, or it would swallow the options.
    return expr.includes('#') ? `${expr}\n` : expr;
  }
  if (query.statement.trim() === '') {
    throw new AlertRuleBuildError('The InfluxQL query is empty: switch the query to raw mode and write it first');
  }
  return `influxql(${quote(query.statement)})`;
}

/**
 * The options past the anomaly proxy's default cost limits (limits.maxTrees, maxWindow, maxLags), as a warning: a proxy
 * with its defaults answers such a rule 400 at every evaluation; one whose operator raised them takes it. Undefined
 * when all are within them.
 */
export function beyondDefaultCostLimits(o: Pick<AnomalyOptions, 'trees' | 'window' | 'lags'>): string | undefined {
  const keys = { trees: 'maxTrees', window: 'maxWindow', lags: 'maxLags' } as const;
  const beyond = (['trees', 'window', 'lags'] as const).filter((name) => o[name] > DEFAULT_OPTION_COST_LIMITS[name]);
  if (beyond.length === 0) {
    return undefined;
  }
  const list = beyond.map((name) => `${name}=${o[name]} (limits.${keys[name]}: ${DEFAULT_OPTION_COST_LIMITS[name]})`);
  return (
    `${list.join(', ')}: beyond the anomaly proxy's default limits, so the rule fails at every evaluation unless ` +
    "the proxy's operator raised them; lower them in the panel options otherwise"
  );
}

function detectorArguments(o: AnomalyOptions, context: ExpressionContext): string[] {
  if (o.maxSamples !== 'auto') {
    throw new AlertRuleBuildError(
      `Max samples is ${o.maxSamples}, but the anomaly proxy always draws min(256, points) per tree: ` +
        'set Max samples to auto so the alert scores like the panel'
    );
  }
  // The proxy's parser reads the same limits (engine contract); outside them it would answer 400.
  for (const name of ['trees', 'window', 'lags', 'seed'] as const) {
    const [min, max] = ANOMALY_INTEGER_LIMITS[name];
    if (!withinIntegerLimits(name, o[name])) {
      throw new AlertRuleBuildError(
        `${name} is ${o[name]}; the anomaly proxy accepts ${min}–${max}: change it in the panel options`
      );
    }
  }
  if (!Number.isInteger(context.stepMs) || context.stepMs <= 0) {
    throw new AlertRuleBuildError('The panel has no data yet, so its resolution (step) is unknown: refresh the panel');
  }
  const args = [`contamination=${o.contamination}`, ...trainingArguments(o, context)];
  if (o.mode === 'multivariate') {
    args.push('mode=multivariate');
    if (o.groupByLabel !== '') {
      if (!LABEL_NAME.test(o.groupByLabel)) {
        throw new AlertRuleBuildError(`Group by label "${o.groupByLabel}" is not a label name`);
      }
      args.push(`by=${quote(o.groupByLabel)}`);
    }
  } else {
    args.push('mode="per-series"');
  }
  args.push(
    `trees=${o.trees}`,
    `window=${o.window}`,
    `lags=${o.lags}`,
    `seasonality=${o.seasonality === 'auto' ? 'auto' : o.seasonality === 'on'}`,
    `seed=${o.seed}`,
    `step=${quote(formatDuration(context.stepMs))}`
  );
  if (o.online) {
    args.push('online=true');
  }
  return args;
}

/** Mirrors model/trainingRange.ts: an absolute range without a valid from < to falls back to the visible range. */
function trainingArguments(o: AnomalyOptions, context: ExpressionContext): string[] {
  const t = o.training;
  if (t.kind === 'previous') {
    return [`train=${quote(formatDuration(Math.round(t.previousDays * 86_400_000)))}`];
  }
  if (t.kind === 'absolute' && t.from !== undefined && t.to !== undefined && t.from < t.to) {
    return [`train_start=${quote(new Date(t.from).toISOString())}`, `train_end=${quote(new Date(t.to).toISOString())}`];
  }
  const visible = Math.round(context.visibleRangeMs);
  if (visible <= 0) {
    throw new AlertRuleBuildError('The dashboard time range is empty, so there is no training window to copy');
  }
  return [`train=${quote(formatDuration(visible))}`];
}

/**
 * A PromQL string literal the proxy's lexer reads back unchanged: "…" for plain text, a raw `…` string when the
 * text has quotes or backslashes but no backtick (InfluxQL quotes identifiers with "…"), else "…" with escapes.
 */
function quote(text: string): string {
  if (!/["\\\n\r\t`]/.test(text)) {
    return `"${text}"`;
  }
  if (!/[`]/.test(text)) {
    return `\`${text}\``;
  }
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}
