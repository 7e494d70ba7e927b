/**
 * How the alert rule's query gets the panel's variables: an alert rule has no dashboard, so dashboard and repeat
 * variables are expanded when the rule is made, the way the panel's own data source expands them when it queries;
 * the variables Grafana expands at each evaluation ($__interval, $__rate_interval, $__range...) stay as written.
 */
import type { ScopedVars } from '@grafana/data';

/**
 * Built-in variables the rule's evaluation expands (from its own interval and range): kept as written. The list of
 * Grafana's Prometheus query backend (pkg/promlib/models/query.go, interpolateVariables).
 */
const EXPANDED_AT_EVALUATION = [
  '__interval',
  '__interval_ms',
  '__rate_interval',
  '__rate_interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
];

/**
 * Refuses a query that reads the panel's absolute time range ($__from, $__to, ${__from:date}...): the panel's data
 * source expands them, a rule's evaluation does not (interpolateVariables above), so the rule would keep the range
 * the panel showed when it was made (a review).
 */
export function refuseFrozenTimes(text: string): void {
  const used = /\$(?:\{\s*)?(__from|__to)\b/.exec(text);
  if (used) {
    throw new Error(
      `The query uses $${used[1]}, the panel's time range: an alert rule's evaluation does not expand it, so the ` +
        'rule would keep the range the panel shows now. Use $__range or a relative range ([5m], offset) instead'
    );
  }
}

/**
 * The panel request's scoped variables for expanding the rule's query: all of them (with `__sceneObject`, through
 * which Grafana's scenes find the panel's own scope: a repeated panel's value of its repeat variable, not the
 * dashboard's "All"), except the ones expanded at evaluation, which are given as themselves.
 */
export function ruleScopedVars(scopedVars: ScopedVars | undefined): ScopedVars {
  const kept: ScopedVars = { ...scopedVars };
  for (const name of EXPANDED_AT_EVALUATION) {
    kept[name] = { text: `$${name}`, value: `$${name}` };
  }
  return kept;
}

/** What a variable format function is told of the variable (TemplateSrv.replace's custom format). */
interface VariableFormatInfo {
  multi?: boolean;
  includeAll?: boolean;
}

/** A backslash and the regex metacharacters escaped for a regex inside a double-quoted PromQL string (two layers). */
function promqlRegexValue(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');
}

/** The regex metacharacters (and the delimiter /) escaped for an InfluxQL regex literal, /.../: one layer. */
function influxqlRegexValue(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/**
 * A variable's value in the rule's query, formatted as Grafana's Prometheus and InfluxDB data sources format it in
 * theirs (their interpolateQueryExpr): a single-value variable as text (Prometheus escapes backslashes and single
 * quotes); a multi-value or "All" one as a regex alternation, `(a|b)`, of regex-escaped values, for `=~` (PromQL: in
 * a double-quoted string, so escaped twice; InfluxQL: in a /.../ literal, escaped once, / too). Without a
 * format, TemplateSrv writes a multi-value variable as a glob, `{a,b}`, which a regex matcher never matches: the rule
 * silently watched nothing.
 */
export function ruleVariableValue(language: 'promql' | 'influxql') {
  return (value: unknown, variable: VariableFormatInfo = {}): string => {
    if (!variable.multi && !variable.includeAll) {
      const text = String(value ?? '');
      return language === 'promql' ? text.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'") : text;
    }
    const regexValue = language === 'promql' ? promqlRegexValue : influxqlRegexValue;
    const values = (Array.isArray(value) ? value : [value]).map((v) => regexValue(String(v ?? '')));
    return values.length === 1 ? values[0] : `(${values.join('|')})`;
  };
}
