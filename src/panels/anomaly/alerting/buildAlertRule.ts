/**
 * The Grafana-managed alert rule for the panel: the anomaly expression on the "Telemetry Anomaly" datasource (a
 * Prometheus datasource whose URL is the anomaly proxy) as an instant query A, and a threshold expression B = A > 0,
 * one alert instance per series (or per multivariate group member). Pure: no Grafana runtime, easy to test.
 */
import { formatDuration, parseDuration } from '@telemetry-analyzer/engine';
import type { AnomalyOptions } from '../types';
import { type AlertSourceQuery, type ExpressionContext, buildAnomalyExpression } from './anomalyExpression';
import {
  type AlertRuleNotificationSettings,
  DISABLE_PROVENANCE_HEADERS,
  EXPRESSION_DATASOURCE_UID,
  type ProvisionedAlertRule,
} from './provisioningTypes';

export interface PanelIdentity {
  title: string;
  dashboardUid?: string;
  panelId?: number;
}

/** What the user chose in the "Create alert rule" form. */
export interface RuleChoices {
  title: string;
  folderUid: string;
  /** How often Grafana evaluates the rule; it belongs to the rule group, see ruleGroupName. */
  evaluationIntervalSeconds: number;
  /** Pending period ("for"), a duration literal such as "0s" or "5m". */
  pendingPeriod: string;
  /**
   * Keep firing for, a duration literal; "0s" or empty = resolve as soon as no point is flagged. Online flags mark the
   * minutes an incident starts and changes, so an online rule keeps firing a while: one incident, one alert.
   */
  keepFiringFor?: string;
  /** Contact point name; undefined = route through the notification policy tree. */
  contactPoint?: string;
}

export interface AlertRuleInput {
  query: AlertSourceQuery;
  options: AnomalyOptions;
  context: ExpressionContext;
  panel: PanelIdentity;
  rule: RuleChoices;
  /** uid of the Prometheus datasource that points at the anomaly proxy. */
  datasourceUid: string;
  orgId: number;
}

export interface AlertRuleRequest {
  url: '/api/v1/provisioning/alert-rules';
  method: 'POST';
  headers: Record<string, string>;
  body: ProvisionedAlertRule;
}

const QUERY_REF = 'A';
const CONDITION_REF = 'B';
/** Grafana's default for alert queries; an instant query returns one sample per series anyway. */
const ALERT_MAX_DATA_POINTS = 43_200;
/** Shortest relative range Grafana's editor uses; longer when the panel's range is longer (keeps $__range alike). */
const MIN_QUERY_RANGE_SECONDS = 600;

/**
 * Grafana sets the evaluation interval per rule group, not per rule. Naming the group after its interval puts rules
 * with the same interval together and never changes the interval of rules someone else created.
 */
export function ruleGroupName(evaluationIntervalSeconds: number): string {
  return `Anomaly detection every ${formatDuration(evaluationIntervalSeconds * 1000)}`;
}

/** The `POST /api/v1/provisioning/alert-rules` request for the panel's current query and options. */
export function buildAlertRule(input: AlertRuleInput): AlertRuleRequest {
  const { options, context, panel, rule } = input;
  const expr = buildAnomalyExpression(input.query, options, context);
  const annotations: Record<string, string> = {
    summary: `Anomaly in ${panel.title || 'an anomaly panel'}: {{ $labels }}`,
    description: describeDetector(options, input.query),
  };
  if (panel.dashboardUid) {
    annotations.__dashboardUid__ = panel.dashboardUid;
    if (panel.panelId !== undefined) {
      annotations.__panelId__ = String(panel.panelId);
    }
  }
  const body: ProvisionedAlertRule = {
    orgID: input.orgId,
    folderUID: rule.folderUid,
    ruleGroup: ruleGroupName(rule.evaluationIntervalSeconds),
    title: rule.title.trim(),
    condition: CONDITION_REF,
    data: [
      {
        refId: QUERY_REF,
        queryType: '',
        relativeTimeRange: {
          from: Math.max(MIN_QUERY_RANGE_SECONDS, Math.ceil(context.visibleRangeMs / 1000)),
          to: 0,
        },
        datasourceUid: input.datasourceUid,
        model: {
          refId: QUERY_REF,
          datasource: { type: 'prometheus', uid: input.datasourceUid },
          expr,
          editorMode: 'code',
          instant: true,
          range: false,
          legendFormat: '__auto',
          // Same interval as the panel, so $__interval and $__rate_interval in the query expand as in the panel.
          intervalMs: context.stepMs,
          maxDataPoints: ALERT_MAX_DATA_POINTS,
        },
      },
      {
        refId: CONDITION_REF,
        queryType: '',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: EXPRESSION_DATASOURCE_UID,
        model: {
          refId: CONDITION_REF,
          datasource: { type: EXPRESSION_DATASOURCE_UID, uid: EXPRESSION_DATASOURCE_UID },
          type: 'threshold',
          expression: QUERY_REF,
          conditions: [{ evaluator: { type: 'gt', params: [0] } }],
        },
      },
    ],
    // No series at all means the proxy scored nothing (no model yet, upstream empty): worth a look, not silence.
    noDataState: 'NoData',
    execErrState: 'Error',
    for: rule.pendingPeriod.trim(),
    labels: { detector: 'telemetry-analyzer' },
    annotations,
    isPaused: false,
  };
  const keepFiringFor = rule.keepFiringFor?.trim();
  if (keepFiringFor && parseDuration(keepFiringFor) !== 0) {
    body.keep_firing_for = keepFiringFor;
  }
  if (rule.contactPoint) {
    const routing: AlertRuleNotificationSettings = { receiver: rule.contactPoint };
    body.notification_settings = routing;
  }
  return {
    url: '/api/v1/provisioning/alert-rules',
    method: 'POST',
    headers: { ...DISABLE_PROVENANCE_HEADERS },
    body,
  };
}

/** One sentence for the notification: what the detector does, with the numbers that matter. */
function describeDetector(o: AnomalyOptions, query: AlertSourceQuery): string {
  const share = o.contamination === 'auto' ? 'a score threshold of 0.5' : `contamination ${o.contamination}`;
  const training =
    o.training.kind === 'previous'
      ? `the previous ${o.training.previousDays} d`
      : o.training.kind === 'absolute'
        ? 'a fixed training range'
        : 'a window as long as the dashboard range';
  const models =
    o.mode === 'multivariate'
      ? `one multivariate model${o.groupByLabel ? ` per ${o.groupByLabel}` : ''}`
      : 'one model per series';
  const source = query.language === 'influxql' ? 'InfluxQL' : 'PromQL';
  const scoring = o.online
    ? `warmed up on ${training} and scored online (each point from the points before it, against its own recent scores)`
    : `trained on ${training}`;
  return (
    `Isolation Forest (${o.trees} trees, seed ${o.seed}) on the panel's ${source} query, ${models}, ` +
    `${share}, ${scoring}: {{ $labels }} is anomalous now.`
  );
}
