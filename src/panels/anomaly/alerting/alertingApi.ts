/**
 * Grafana HTTP calls of the "Create alert rule" form, all through getBackendSrv() (Grafana's own client: session,
 * org and CSRF headers). Failures become AlertingApiError with a message that says what to do.
 */
import { getBackendSrv, getDataSourceSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import {
  APP_CONFIG_URL,
  APP_PLUGIN_ID,
  type AppSettings,
  resolveAppSettings,
} from '../../../components/AppConfig/appSettings';
import type { AlertRuleRequest } from './buildAlertRule';
import { type AlertRuleGroup, DISABLE_PROVENANCE_HEADERS, type ProvisionedAlertRule } from './provisioningTypes';

export class AlertingApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** A page that fixes the problem (e.g. the app's config page), when there is one. */
    readonly helpUrl?: string
  ) {
    super(message);
    this.name = 'AlertingApiError';
  }
}

/**
 * What a 403 of the rule's calls means. Grafana lets a user POST a rule through the provisioning API with
 * alert.rules:create plus alert.provisioning.provenance:write (or alert.rules.provisioning:write), and read and set
 * its group with alert.rules:read and folders:read in the folder besides (grafana/grafana
 * pkg/services/ngalert/api/authorization.go): Editors hold all of them.
 */
export const PERMISSION_MESSAGE =
  'You need permission to create alert rules in this folder: the Editor role, or a role with alert.rules:create, ' +
  'alert.rules:write, alert.rules:read and folders:read in the folder and alert.provisioning.provenance:write ' +
  '(alert.rules.provisioning:write grants it all).';

/** What a 403 on the app's settings means: this user's access to the app was taken away (plugins.app:access). */
export const APP_ACCESS_MESSAGE =
  'You have no access to the Telemetry Analyzer app (the plugins.app:access action): ask a Grafana admin to grant ' +
  'it, or to create the alert rule.';

async function call<T>(
  what: string,
  request: {
    url: string;
    method?: string;
    params?: Record<string, string | number>;
    data?: unknown;
    headers?: Record<string, string>;
  },
  /** What a 403 from this call means to the user. */
  forbidden = PERMISSION_MESSAGE
): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({ method: 'GET', ...request, showErrorAlert: false, showSuccessAlert: false })
    );
    return response.data;
  } catch (error) {
    throw toApiError(what, error, forbidden);
  }
}

function toApiError(what: string, error: unknown, forbidden: string): AlertingApiError {
  if (!isFetchError(error)) {
    return new AlertingApiError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const detail = (error.data as { message?: string } | undefined)?.message ?? error.statusText ?? '';
  const suffix = detail ? `: ${detail}` : '';
  if (error.status === 403) {
    return new AlertingApiError(forbidden, 403);
  }
  if (error.status === 401) {
    return new AlertingApiError('Your Grafana session has expired: sign in again', 401);
  }
  return new AlertingApiError(`${what} failed (HTTP ${error.status})${suffix}`, error.status);
}

export async function loadAppSettings(): Promise<Required<AppSettings>> {
  // Grafana answers 403 here to a user whose access to the app was removed (pkg/api/plugins.go GetPluginSettingByID).
  const settings = await call<{ jsonData?: AppSettings }>(
    'Reading the Telemetry Analyzer app settings',
    { url: `/api/plugins/${APP_PLUGIN_ID}/settings` },
    APP_ACCESS_MESSAGE
  );
  return resolveAppSettings(settings.jsonData);
}

export interface AnomalyDatasource {
  uid: string;
  name: string;
}

/**
 * The "Telemetry Anomaly" datasource, or an error that links to the app's config page. Read from the datasource
 * settings the browser already has (getDataSourceSrv), which every user who can query it sees: Grafana's
 * `GET /api/datasources/uid/:uid` needs `datasources:read`, which by default only Admins hold (pkg/api/api.go), so
 * asking it would turn an Editor, who may create alert rules, away with a 403.
 */
export function findAnomalyDatasource(uid: string): AnomalyDatasource {
  const datasource = getDataSourceSrv().getInstanceSettings(uid);
  if (!datasource || datasource.uid !== uid) {
    throw new AlertingApiError(
      `There is no datasource with uid "${uid}" (or you may not query it). Add a Prometheus datasource whose URL is ` +
        'the anomaly proxy (Connections → Data sources → Prometheus, HTTP method POST) and enter its uid on the ' +
        'Telemetry Analyzer app configuration page.',
      404,
      APP_CONFIG_URL
    );
  }
  if (datasource.type !== 'prometheus') {
    throw new AlertingApiError(
      `Datasource "${datasource.name}" (uid ${uid}) is of type ${datasource.type}; the anomaly datasource must be a ` +
        'Prometheus datasource whose URL is the anomaly proxy. Change the uid on the app configuration page.',
      undefined,
      APP_CONFIG_URL
    );
  }
  return { uid: datasource.uid, name: datasource.name };
}

export interface Folder {
  uid: string;
  title: string;
}

/** Most folders listed (Grafana's search refuses a larger limit with 422). */
const FOLDER_LIMIT = 5000;

/**
 * The folders the user may create the rule in, at every level. Not GET /api/folders: with nested folders (Grafana's
 * default) it lists only the root's children, and those the user may view (pkg/api/folder.go GetFolders). Grafana's
 * search lists folders at every depth, with the parent's title, and `permission=Edit` keeps those the user may edit
 * (pkg/api/search.go). A nested folder is shown as "Parent / Child": titles repeat across parents.
 */
export async function listFolders(): Promise<Folder[]> {
  const hits = await call<Array<{ uid: string; title: string; folderTitle?: string }>>('Listing folders', {
    url: '/api/search',
    params: { type: 'dash-folder', permission: 'Edit', limit: FOLDER_LIMIT },
  });
  return hits
    .map((hit) => ({ uid: hit.uid, title: hit.folderTitle ? `${hit.folderTitle} / ${hit.title}` : hit.title }))
    .sort((a, b) => a.title.localeCompare(b.title));
}

/** Contact point names (a contact point with several integrations is listed once per integration by the API). */
export async function listContactPoints(): Promise<string[]> {
  const points = await call<Array<{ name: string }>>('Listing contact points', {
    url: '/api/v1/provisioning/contact-points',
  });
  return [...new Set(points.map((p) => p.name))].sort((a, b) => a.localeCompare(b));
}

export interface CreatedRule {
  uid: string;
  /** The interval Grafana evaluates the rule's group at, in seconds; undefined when it could not be set (see below). */
  groupIntervalSeconds?: number;
  /** Why the new group's interval could not be set: the rule exists, at Grafana's default interval for new groups. */
  intervalNotSet?: AlertingApiError;
}

/**
 * Creates the rule, then sets its group's evaluation interval when the group is new. The interval belongs to the
 * group: an existing group is left as it is (groups are named after their interval, see ruleGroupName, so it normally
 * already has the chosen interval). The PUT sends the interval without rules, which Grafana takes as "the interval
 * only" (AlertRuleGroup): a rule that someone else added to the new group meanwhile stays in it (a review: sending
 * `rules: [created]` replaced the group's rules with this one).
 */
export async function createAlertRule(request: AlertRuleRequest, intervalSeconds: number): Promise<CreatedRule> {
  const { folderUID, ruleGroup } = request.body;
  const groupUrl = `/api/v1/provisioning/folder/${encodeURIComponent(folderUID)}/rule-groups/${encodeURIComponent(ruleGroup)}`;
  let existing: AlertRuleGroup | undefined;
  try {
    existing = await call<AlertRuleGroup>('Reading the rule group', { url: groupUrl });
  } catch (error) {
    if (!(error instanceof AlertingApiError && error.status === 404)) {
      throw error;
    }
  }
  const created = await call<ProvisionedAlertRule>('Creating the alert rule', {
    url: request.url,
    method: request.method,
    data: request.body,
    headers: request.headers,
  });
  if (!created.uid) {
    throw new AlertingApiError('Grafana created the alert rule but did not return its uid');
  }
  if (existing) {
    return { uid: created.uid, groupIntervalSeconds: existing.interval };
  }
  const group: AlertRuleGroup = { title: ruleGroup, folderUid: folderUID, interval: intervalSeconds };
  try {
    await call('Setting the evaluation interval of the new rule group', {
      url: groupUrl,
      method: 'PUT',
      data: group,
      headers: { ...DISABLE_PROVENANCE_HEADERS },
    });
  } catch (error) {
    // The rule exists and runs: said as created, with why its interval is Grafana's default. Reported as "not
    // created", a second click made a duplicate (a review: the PUT needs other permissions than the POST).
    if (error instanceof AlertingApiError) {
      return { uid: created.uid, intervalNotSet: error };
    }
    throw error;
  }
  return { uid: created.uid, groupIntervalSeconds: intervalSeconds };
}
