import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { DataSourcePicker, getBackendSrv, isFetchError } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, Stack } from '@grafana/ui';
import { testIds } from '../testIds';
import { type AppSettings, DEFAULT_ANOMALY_DATASOURCE_UID, resolveAppSettings } from './appSettings';
import { reloadPage } from './reloadPage';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

type Outcome = { kind: 'success' | 'error'; message: string } | undefined;

/** The app's configuration: which datasource is the anomaly proxy, and defaults for new panels. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData } = plugin.meta;
  const initial = resolveAppSettings(jsonData);
  const [datasourceUid, setDatasourceUid] = useState(initial.anomalyDatasourceUid);
  const [proxyUrl, setProxyUrl] = useState(initial.proxyUrl);
  const [contamination, setContamination] = useState(String(initial.defaultContamination));
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<Outcome>();
  const [testing, setTesting] = useState(false);
  const [health, setHealth] = useState<Outcome>();

  const contaminationValue = Number(contamination);
  const contaminationProblem =
    contamination.trim() === '' || !(contaminationValue >= 0.001 && contaminationValue <= 0.5)
      ? 'A number from 0.001 to 0.5'
      : undefined;
  const uid = datasourceUid.trim() || DEFAULT_ANOMALY_DATASOURCE_UID;

  const save = async () => {
    setSaving(true);
    setSaved(undefined);
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: { anomalyDatasourceUid: uid, proxyUrl: proxyUrl.trim(), defaultContamination: contaminationValue },
      });
      setSaved({ kind: 'success', message: 'Settings saved' });
      // Grafana keeps the app's settings in a per-page cache (public/app/features/plugins/pluginSettings.ts): this page
      // and the panels would show the old ones until a reload, and saving again would write them back.
      reloadPage();
    } catch (error) {
      setSaved({ kind: 'error', message: `Saving failed: ${errorMessage(error)}` });
    } finally {
      setSaving(false);
    }
  };

  const testConnection = async () => {
    setTesting(true);
    setHealth(undefined);
    setHealth(await checkDatasourceHealth(uid));
    setTesting(false);
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!contaminationProblem) {
          save();
        }
      }}
    >
      <FieldSet label="Anomaly proxy">
        <Field
          label="Anomaly datasource"
          description="The Prometheus datasource whose URL is the anomaly proxy; alert rules created from anomaly panels query it"
        >
          <div data-testid={testIds.appConfig.datasourcePicker}>
            <DataSourcePicker
              pluginId="prometheus"
              current={uid}
              noDefault
              width={40}
              inputId="config-anomaly-datasource"
              onChange={(datasource) => setDatasourceUid(datasource.uid)}
            />
          </div>
        </Field>
        <Field
          label="Anomaly datasource uid"
          description="The chosen datasource's uid; type it for one this browser does not list yet (provisioned later)"
        >
          <Input
            width={40}
            id="config-anomaly-datasource-uid"
            data-testid={testIds.appConfig.datasourceUid}
            value={datasourceUid}
            placeholder={DEFAULT_ANOMALY_DATASOURCE_UID}
            onChange={(e) => setDatasourceUid(e.currentTarget.value)}
          />
        </Field>
        <Field
          label="Proxy URL"
          description="For reference only: Grafana reaches the proxy through the datasource's own URL (e.g. http://telemetry-proxy:9095)"
        >
          <Input
            width={60}
            id="config-proxy-url"
            data-testid={testIds.appConfig.proxyUrl}
            value={proxyUrl}
            placeholder="http://telemetry-proxy:9095"
            onChange={(e) => setProxyUrl(e.currentTarget.value)}
          />
        </Field>
        <Stack direction="column" alignItems="flex-start" gap={1}>
          <Button
            type="button"
            variant="secondary"
            data-testid={testIds.appConfig.testConnection}
            disabled={testing}
            onClick={testConnection}
          >
            {testing ? 'Testing…' : 'Test connection'}
          </Button>
          {health && (
            <Alert
              severity={health.kind}
              title={
                health.kind === 'success' ? 'The anomaly datasource works' : 'The anomaly datasource does not work'
              }
              data-testid={testIds.appConfig.testResult}
            >
              {health.message}
            </Alert>
          )}
        </Stack>
      </FieldSet>
      <FieldSet label="Anomaly panel defaults">
        <Field
          label="Default contamination"
          description="Expected share of anomalies (0.001–0.5), stored for new panels; each panel keeps its own value"
          invalid={!!contaminationProblem}
          error={contaminationProblem}
        >
          <Input
            width={12}
            id="config-default-contamination"
            data-testid={testIds.appConfig.defaultContamination}
            value={contamination}
            onChange={(e) => setContamination(e.currentTarget.value)}
          />
        </Field>
      </FieldSet>
      <Stack direction="column" alignItems="flex-start" gap={1}>
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={saving || !!contaminationProblem}>
          {saving ? 'Saving…' : 'Save settings'}
        </Button>
        {saved && <Alert severity={saved.kind} title={saved.message} data-testid={testIds.appConfig.saveResult} />}
      </Stack>
    </form>
  );
};

export default AppConfig;

/** Grafana's "Save & test" check of the datasource (for a Prometheus datasource: a query through the proxy). */
async function checkDatasourceHealth(uid: string): Promise<Outcome> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<{ status?: string; message?: string }>({
        url: `/api/datasources/uid/${encodeURIComponent(uid)}/health`,
        showErrorAlert: false,
      })
    );
    return { kind: 'success', message: response.data.message ?? 'OK' };
  } catch (error) {
    if (isMissingDatasource(error)) {
      return {
        kind: 'error',
        message:
          `There is no datasource with uid "${uid}". Add a Prometheus datasource whose URL is the anomaly proxy ` +
          '(Connections → Data sources) and enter its uid here.',
      };
    }
    return { kind: 'error', message: errorMessage(error) };
  }
}

/**
 * How Grafana answers a health check of a uid it has no datasource for (pkg/api/datasources.go,
 * CheckDatasourceHealthWithUID): 400 "UID is invalid" for a malformed uid, 500 "Unable to load datasource metadata"
 * when the lookup fails (Grafana 12), 404 behind a feature flag.
 */
function isMissingDatasource(error: unknown): boolean {
  if (!isFetchError(error)) {
    return false;
  }
  const message = (error.data as { message?: string } | undefined)?.message;
  return (
    error.status === 404 ||
    (error.status === 500 && message === 'Unable to load datasource metadata') ||
    (error.status === 400 && message === 'UID is invalid')
  );
}

function errorMessage(error: unknown): string {
  if (isFetchError(error)) {
    const message = (error.data as { message?: string } | undefined)?.message;
    return message ? `${message} (HTTP ${error.status})` : `HTTP ${error.status}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function updatePlugin(pluginId: string, data: Partial<PluginMeta<AppSettings>>) {
  const response = getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data });
  return lastValueFrom(response);
}
