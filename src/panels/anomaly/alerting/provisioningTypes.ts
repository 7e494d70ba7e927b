/**
 * The subset of Grafana's alerting provisioning API model (`POST /api/v1/provisioning/alert-rules`, Go type
 * `ProvisionedAlertRule`) that this plugin writes. Field names and casing are Grafana's: `folderUID`, `ruleGroup`,
 * `execErrState`, `notification_settings` (snake case in the API), `isPaused`.
 */

/** Relative to the evaluation time, in seconds (`from` seconds before until `to` seconds before). */
export interface RelativeTimeRange {
  from: number;
  to: number;
}

/** One entry of `data`: a data source query or a server-side expression (datasourceUid "__expr__"). */
export interface AlertQuery {
  refId: string;
  queryType: string;
  relativeTimeRange: RelativeTimeRange;
  datasourceUid: string;
  model: Record<string, unknown>;
}

/** Routes the rule's notifications straight to one contact point (simplified routing), bypassing the policy tree. */
export interface AlertRuleNotificationSettings {
  receiver: string;
}

export type NoDataState = 'NoData' | 'Alerting' | 'OK' | 'KeepLast';
export type ExecErrState = 'Error' | 'Alerting' | 'OK' | 'KeepLast';

export interface ProvisionedAlertRule {
  uid?: string;
  orgID: number;
  folderUID: string;
  ruleGroup: string;
  title: string;
  /** refId of the `data` entry whose result decides firing. */
  condition: string;
  data: AlertQuery[];
  noDataState: NoDataState;
  execErrState: ExecErrState;
  /** Pending period, a Prometheus duration such as "0s" or "5m". */
  for: string;
  /**
   * How long the alert keeps firing after its condition cleared (Grafana 12's `keep_firing_for`, snake case in the API:
   * pkg/services/ngalert/api/tooling/definitions/provisioning_alert_rules.go). Absent: resolves at once.
   */
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  notification_settings?: AlertRuleNotificationSettings;
  isPaused: boolean;
}

/**
 * `GET`/`PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}`: the group's interval and its rules. A PUT
 * with `rules` replaces every rule of the group; without them Grafana changes the interval only (grafana/grafana
 * pkg/services/ngalert/provisioning/alert_rules.go, calcDelta: "Requests which specify only the interval must update
 * only the interval").
 */
export interface AlertRuleGroup {
  title: string;
  folderUid: string;
  /** Evaluation interval in seconds. */
  interval: number;
  rules?: ProvisionedAlertRule[];
}

/** Grafana's datasource uid of server-side expressions (math, reduce, threshold). */
export const EXPRESSION_DATASOURCE_UID = '__expr__';

/** Keeps API-created rules editable in Grafana's UI (without it they are locked as "provisioned"). */
export const DISABLE_PROVENANCE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Disable-Provenance': 'true',
});
