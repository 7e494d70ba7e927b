import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelData, TimeRange } from '@grafana/data';
import { config, getDataSourceSrv, getTemplateSrv } from '@grafana/runtime';
import type { DataQuery } from '@grafana/schema';
import {
  Alert,
  Button,
  Combobox,
  type ComboboxOption,
  Field,
  Input,
  LinkButton,
  LoadingPlaceholder,
  Modal,
  RadioButtonGroup,
  Stack,
  useStyles2,
} from '@grafana/ui';
import { formatDuration, parseDuration } from '@telemetry-analyzer/engine';
import { testIds } from '../testIds';
import type { AnomalyOptions } from '../types';
import {
  type AnomalyDatasource,
  AlertingApiError,
  type CreatedRule,
  type Folder,
  createAlertRule,
  findAnomalyDatasource,
  listContactPoints,
  listFolders,
  loadAppSettings,
} from './alertingApi';
import { beyondDefaultCostLimits } from './anomalyExpression';
import { type AlertRuleRequest, type PanelIdentity, buildAlertRule, ruleGroupName } from './buildAlertRule';
import { observedStepMs, toAlertSourceQuery, visibleTargets } from './panelQuery';
import { refuseFrozenTimes, ruleScopedVars, ruleVariableValue } from './ruleVariables';

export interface CreateAlertRuleModalProps {
  panel: PanelIdentity;
  options: AnomalyOptions;
  data: PanelData;
  timeRange: TimeRange;
  onDismiss: () => void;
}

/** Grafana evaluates rules on a 10 s base interval; group intervals must be multiples of it. */
const BASE_INTERVAL_MS = 10_000;
const DEFAULT_INTERVAL = '1m';
/** Contact point choice meaning "no notification_settings": the notification policy tree routes the alerts. */
const POLICY_ROUTING = '__notification_policy__';

interface Resources {
  datasource: AnomalyDatasource;
  folders: Folder[];
  contactPoints: string[];
  /** Listing contact points needs more rights than creating rules; the form still works without the list. */
  contactPointsProblem?: string;
}

type Load =
  { status: 'loading' } | { status: 'error'; error: AlertingApiError } | { status: 'ready'; resources: Resources };
type Submission =
  | { status: 'idle' }
  | { status: 'submitting' }
  | { status: 'created'; rule: CreatedRule }
  | { status: 'failed'; error: AlertingApiError };

/** The "Create alert rule" form: a Grafana-managed rule on the anomaly datasource that evaluates what the panel shows. */
export function CreateAlertRuleModal({ panel, options, data, timeRange, onDismiss }: CreateAlertRuleModalProps) {
  const s = useStyles2(getStyles);
  const load = useResources();
  const targets = useMemo(() => visibleTargets(data.request?.targets ?? []), [data.request?.targets]);
  const [refId, setRefId] = useState(targets[0]?.refId ?? '');
  const stepMs = useMemo(
    () => observedStepMs(data.series, refId) ?? data.request?.intervalMs,
    [data.series, data.request?.intervalMs, refId]
  );
  const [title, setTitle] = useState(`${panel.title || 'Panel'} anomaly`);
  const [folderUid, setFolderUid] = useState('');
  const [interval, setInterval] = useState(DEFAULT_INTERVAL);
  const [pendingPeriod, setPendingPeriod] = useState(() =>
    options.online ? '0s' : defaultPendingPeriod(options.minConsecutive, stepMs)
  );
  const [keepFiringFor, setKeepFiringFor] = useState(options.online ? ONLINE_KEEP_FIRING_FOR : '0s');
  const [contactPoint, setContactPoint] = useState(POLICY_ROUTING);
  const [upstream, setUpstream] = useState('');
  const [submission, setSubmission] = useState<Submission>({ status: 'idle' });

  const target = targets.find((t) => t.refId === refId);
  const targetType = target ? datasourceTypeOf(target) : undefined;
  const problems = validate({ title, folderUid, interval, pendingPeriod, keepFiringFor }, minIntervalMs());
  const intervalMs = parseDuration(interval.trim());

  const costWarning = beyondDefaultCostLimits(options);
  const built = useMemo((): { request: AlertRuleRequest } | { problem: string } => {
    try {
      if (!target) {
        return { problem: 'The panel has no query to alert on' };
      }
      if (options.mode === 'multivariate' && targets.length > 1) {
        return {
          problem:
            'In multivariate mode the panel models the series of all its queries together; an alert rule wraps one ' +
            'query: combine them into one query (PromQL "or") to alert on this model',
        };
      }
      const query = toAlertSourceQuery(
        { target, datasourceType: targetType?.type, influxLanguage: targetType?.influxLanguage },
        (text, language) => {
          refuseFrozenTimes(text);
          return getTemplateSrv().replace(text, ruleScopedVars(data.request?.scopedVars), ruleVariableValue(language));
        },
        upstream
      );
      const request = buildAlertRule({
        query,
        options,
        context: { visibleRangeMs: timeRange.to.valueOf() - timeRange.from.valueOf(), stepMs: stepMs ?? 0 },
        panel,
        rule: {
          title,
          folderUid,
          evaluationIntervalSeconds: (intervalMs ?? BASE_INTERVAL_MS) / 1000,
          pendingPeriod,
          keepFiringFor,
          contactPoint: contactPoint === POLICY_ROUTING ? undefined : contactPoint,
        },
        datasourceUid: load.status === 'ready' ? load.resources.datasource.uid : '',
        orgId: config.bootData?.user?.orgId ?? 1,
      });
      return { request };
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  }, [
    target,
    targets.length,
    targetType,
    options,
    data.request?.scopedVars,
    upstream,
    timeRange,
    stepMs,
    panel,
    title,
    folderUid,
    intervalMs,
    pendingPeriod,
    keepFiringFor,
    contactPoint,
    load,
  ]);

  const submit = async () => {
    if (!('request' in built) || Object.keys(problems).length > 0 || intervalMs === undefined) {
      return;
    }
    setSubmission({ status: 'submitting' });
    try {
      setSubmission({ status: 'created', rule: await createAlertRule(built.request, intervalMs / 1000) });
    } catch (error) {
      setSubmission({
        status: 'failed',
        error: error instanceof AlertingApiError ? error : new AlertingApiError(String(error)),
      });
    }
  };

  const state = load.status === 'error' ? 'load-error' : submission.status === 'created' ? 'created' : load.status;
  return (
    <Modal title="Create alert rule" isOpen onDismiss={onDismiss}>
      <div data-testid={testIds.alertRule.modal} data-state={state}>
        {load.status === 'loading' && <LoadingPlaceholder text="Loading folders and contact points…" />}
        {load.status === 'error' && <ErrorMessage error={load.error} title="Cannot create alert rules yet" />}
        {load.status === 'ready' && submission.status === 'created' && (
          <Alert severity="success" title="Alert rule created">
            <Stack direction="column" gap={1}>
              {submission.rule.groupIntervalSeconds !== undefined ? (
                <span>
                  It is evaluated every {formatDuration(submission.rule.groupIntervalSeconds * 1000)} in the group
                  &quot;
                  {'request' in built ? built.request.body.ruleGroup : ''}&quot;.
                </span>
              ) : (
                <span data-testid={testIds.alertRule.intervalNotSet}>
                  Its new group &quot;{'request' in built ? built.request.body.ruleGroup : ''}&quot; kept Grafana&apos;s
                  default evaluation interval: setting the interval failed ({submission.rule.intervalNotSet?.message}).
                  Set it in the rule group&apos;s settings.
                </span>
              )}
              <LinkButton
                href={`${config.appSubUrl ?? ''}/alerting/grafana/${submission.rule.uid}/view`}
                data-testid={testIds.alertRule.resultLink}
                icon="external-link-alt"
                fill="text"
              >
                View the alert rule
              </LinkButton>
            </Stack>
          </Alert>
        )}
        {load.status === 'ready' && submission.status !== 'created' && (
          <>
            {targets.length > 1 && (
              <Field label="Query" description="The panel query the alert evaluates">
                <RadioButtonGroup
                  data-testid={testIds.alertRule.query}
                  options={targets.map((t) => ({ value: t.refId, label: t.refId }))}
                  value={refId}
                  onChange={setRefId}
                />
              </Field>
            )}
            <Field label="Rule name" invalid={!!problems.title} error={problems.title}>
              <Input
                data-testid={testIds.alertRule.title}
                value={title}
                onChange={(e) => setTitle(e.currentTarget.value)}
              />
            </Field>
            <Field label="Folder" invalid={!!problems.folderUid} error={problems.folderUid}>
              <Combobox<string>
                data-testid={testIds.alertRule.folder}
                placeholder="Choose a folder"
                options={load.resources.folders.map((f) => ({ value: f.uid, label: f.title }))}
                value={folderUid || null}
                onChange={(option: ComboboxOption<string>) => setFolderUid(option.value)}
              />
            </Field>
            <Stack gap={2}>
              <DurationField
                label="Evaluation interval"
                description={`Rules are grouped by interval: "${ruleGroupName((intervalMs ?? BASE_INTERVAL_MS) / 1000)}"`}
                problem={problems.interval}
                testId={testIds.alertRule.evaluationInterval}
                value={interval}
                onChange={setInterval}
              />
              <DurationField
                label="Pending period"
                description={
                  options.minConsecutive > 1
                    ? `The panel marks runs of at least ${options.minConsecutive} points`
                    : 'How long an anomaly must last before the alert fires'
                }
                problem={problems.pendingPeriod}
                testId={testIds.alertRule.pendingPeriod}
                value={pendingPeriod}
                onChange={setPendingPeriod}
              />
              <DurationField
                label="Keep firing for"
                description={
                  options.online
                    ? 'Online flags mark the minutes an incident starts and changes: one incident, one alert'
                    : 'How long the alert keeps firing after the last flag'
                }
                problem={problems.keepFiringFor}
                testId={testIds.alertRule.keepFiringFor}
                value={keepFiringFor}
                onChange={setKeepFiringFor}
              />
            </Stack>
            <Field
              label="Contact point"
              description={load.resources.contactPointsProblem ?? 'Send the notifications straight to a contact point'}
            >
              <Combobox<string>
                data-testid={testIds.alertRule.contactPoint}
                options={[
                  { value: POLICY_ROUTING, label: 'Use notification policies' },
                  ...load.resources.contactPoints.map((name) => ({ value: name, label: name })),
                ]}
                value={contactPoint}
                onChange={(option: ComboboxOption<string>) => setContactPoint(option.value)}
              />
            </Field>
            {targetType?.type === 'influxdb' && (
              <Field
                label="Proxy upstream"
                description="Name of the InfluxDB upstream in the proxy configuration; empty = its only InfluxDB upstream"
              >
                <Input
                  data-testid={testIds.alertRule.upstream}
                  value={upstream}
                  onChange={(e) => setUpstream(e.currentTarget.value)}
                />
              </Field>
            )}
            {'request' in built ? (
              <Field
                label={`Query on ${load.resources.datasource.name}`}
                description="The alert fires for every series whose anomaly flag is above 0"
              >
                <pre className={s.expression} data-testid={testIds.alertRule.expression}>
                  {String(built.request.body.data[0].model.expr)}
                </pre>
              </Field>
            ) : (
              <Alert severity="warning" title="This panel cannot become an alert rule yet">
                <span data-testid={testIds.alertRule.expressionProblem}>{built.problem}</span>
              </Alert>
            )}
            {costWarning !== undefined && (
              <Alert severity="warning" title="Beyond the anomaly proxy's default limits">
                <span data-testid={testIds.alertRule.costLimitWarning}>{costWarning}</span>
              </Alert>
            )}
            {!options.online && (
              <Alert severity="info" title="The rule scores as the panel does: in batch">
                <span data-testid={testIds.alertRule.batchHint}>
                  Alerts judge best online: each point scored from the points before it, against the series&apos; own
                  recent scores, so a flag marks an incident&apos;s start instead of staying up through drift. Turn on
                  Online in the panel&apos;s options to alert, and see, that way.
                </span>
              </Alert>
            )}
            {options.direction !== 'both' && (
              <Alert severity="info" title="Direction is not part of the alert">
                The panel shows only anomalies {options.direction} the rolling mean; the alert fires in both directions.
              </Alert>
            )}
            {submission.status === 'failed' && (
              <ErrorMessage error={submission.error} title="The alert rule was not created" />
            )}
          </>
        )}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss}>
            {submission.status === 'created' ? 'Close' : 'Cancel'}
          </Button>
          {load.status === 'ready' && submission.status !== 'created' && (
            <Button
              data-testid={testIds.alertRule.submit}
              disabled={!('request' in built) || Object.keys(problems).length > 0 || submission.status === 'submitting'}
              onClick={submit}
            >
              {submission.status === 'submitting' ? 'Creating…' : 'Create alert rule'}
            </Button>
          )}
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}

function ErrorMessage({ error, title }: { error: AlertingApiError; title: string }) {
  return (
    <Alert severity="error" title={title}>
      <div data-testid={testIds.alertRule.error}>
        {error.message}
        {error.helpUrl && (
          <>
            {' '}
            <LinkButton href={`${config.appSubUrl ?? ''}${error.helpUrl}`} fill="text" size="sm">
              Open the app configuration
            </LinkButton>
          </>
        )}
      </div>
    </Alert>
  );
}

/** Settings → anomaly datasource, folders and contact points, loaded once when the form opens. */
function useResources(): Load {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  useEffect(() => {
    let active = true;
    (async () => {
      const settings = await loadAppSettings();
      const [datasource, folders, contactPoints] = await Promise.all([
        findAnomalyDatasource(settings.anomalyDatasourceUid),
        listFolders(),
        listContactPoints().then(
          (names) => ({ names, problem: undefined }),
          (error: AlertingApiError) => ({
            names: [] as string[],
            problem: `Contact points unavailable: ${error.message}`,
          })
        ),
      ]);
      return { datasource, folders, contactPoints: contactPoints.names, contactPointsProblem: contactPoints.problem };
    })().then(
      (resources) => active && setLoad({ status: 'ready', resources }),
      (error) =>
        active &&
        setLoad({
          status: 'error',
          error: error instanceof AlertingApiError ? error : new AlertingApiError(String(error)),
        })
    );
    return () => {
      active = false;
    };
  }, []);
  return load;
}

function datasourceTypeOf(target: DataQuery): { type: string; influxLanguage?: string } | undefined {
  const settings = getDataSourceSrv().getInstanceSettings(target.datasource ?? undefined);
  if (!settings) {
    return undefined;
  }
  const version = (settings.jsonData as { version?: string } | undefined)?.version;
  return { type: settings.type, influxLanguage: version };
}

/** A short text input for a duration literal ("1m", "0s"), with its problem shown under it. */
function DurationField(props: {
  label: string;
  description: string;
  problem: string | undefined;
  testId: string;
  value: string;
  onChange: (text: string) => void;
}) {
  return (
    <Field label={props.label} description={props.description} invalid={!!props.problem} error={props.problem}>
      <Input
        data-testid={props.testId}
        value={props.value}
        width={12}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

/** As the provisioned online rules (provisioning/alerting/rules.yaml): an incident's flags held as one alert. */
const ONLINE_KEEP_FIRING_FOR = '10m';

/** A run of N anomalous points at the panel's step lasts (N − 1) steps: the pending period that matches it. */
function defaultPendingPeriod(minConsecutive: number, stepMs: number | undefined): string {
  if (minConsecutive <= 1 || !stepMs) {
    return '0s';
  }
  const intervalMs = parseDuration(DEFAULT_INTERVAL)!;
  return formatDuration(Math.ceil(((minConsecutive - 1) * stepMs) / intervalMs) * intervalMs);
}

/**
 * The shortest evaluation interval Grafana takes: its [unified_alerting] min_interval (config.unifiedAlerting
 * .minInterval, pkg/api/frontendsettings.go), at least 10s. A shorter one passed the form and failed as Grafana
 * refused the group's interval (a review).
 */
function minIntervalMs(): number {
  const configured = parseDuration(config.unifiedAlerting?.minInterval ?? '') ?? 0;
  return Math.max(BASE_INTERVAL_MS, Math.ceil(configured / BASE_INTERVAL_MS) * BASE_INTERVAL_MS);
}

function validate(
  form: {
    title: string;
    folderUid: string;
    interval: string;
    pendingPeriod: string;
    keepFiringFor: string;
  },
  minimumMs: number
) {
  const problems: Partial<Record<'title' | 'folderUid' | 'interval' | 'pendingPeriod' | 'keepFiringFor', string>> = {};
  if (form.title.trim() === '') {
    problems.title = 'Give the rule a name';
  }
  if (form.folderUid === '') {
    problems.folderUid = 'Alert rules live in a folder: choose one';
  }
  const interval = parseDuration(form.interval.trim());
  if (interval === undefined || interval < BASE_INTERVAL_MS || interval % BASE_INTERVAL_MS !== 0) {
    problems.interval = 'A multiple of 10s, such as 30s, 1m or 5m';
  } else if (interval < minimumMs) {
    problems.interval = `At least ${formatDuration(minimumMs)}: this Grafana's shortest evaluation interval`;
  }
  const pending = parseDuration(form.pendingPeriod.trim());
  if (pending === undefined) {
    problems.pendingPeriod = 'A duration such as 0s, 2m or 1h';
  } else if (interval !== undefined && pending > 0 && pending % interval !== 0) {
    problems.pendingPeriod = `A multiple of the evaluation interval (${form.interval.trim()})`;
  }
  if (parseDuration(form.keepFiringFor.trim()) === undefined) {
    problems.keepFiringFor = 'A duration such as 0s, 10m or 1h';
  }
  return problems;
}

const getStyles = (theme: GrafanaTheme2) => ({
  expression: css({
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    fontSize: theme.typography.bodySmall.fontSize,
    margin: 0,
  }),
});
