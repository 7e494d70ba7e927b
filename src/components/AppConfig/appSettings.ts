/** The app's settings (plugin jsonData), shared by the config page and the anomaly panel's alert-rule form. */
import pluginJson from '../../plugin.json';

export const APP_PLUGIN_ID = pluginJson.id;
/** Where an admin sets the anomaly datasource (Grafana's page of the app plugin, with its config tab). */
export const APP_CONFIG_URL = `/plugins/${APP_PLUGIN_ID}`;
export const DEFAULT_ANOMALY_DATASOURCE_UID = 'telemetry-anomaly';
export const DEFAULT_CONTAMINATION = 0.01;

export interface AppSettings {
  /** uid of the Grafana Prometheus datasource whose URL is the anomaly proxy. */
  anomalyDatasourceUid?: string;
  /** Shown for reference on the config page; Grafana reaches the proxy through the datasource's own URL. */
  proxyUrl?: string;
  /** Contamination suggested for new anomaly panels (0.001–0.5). */
  defaultContamination?: number;
}

/** Settings with defaults for what is missing or malformed (jsonData may hold anything). */
export function resolveAppSettings(jsonData: AppSettings | undefined): Required<AppSettings> {
  const d = jsonData ?? {};
  const uid = typeof d.anomalyDatasourceUid === 'string' ? d.anomalyDatasourceUid.trim() : '';
  const c = d.defaultContamination;
  return {
    anomalyDatasourceUid: uid || DEFAULT_ANOMALY_DATASOURCE_UID,
    proxyUrl: typeof d.proxyUrl === 'string' ? d.proxyUrl.trim() : '',
    defaultContamination:
      typeof c === 'number' && Number.isFinite(c) && c >= 0.001 && c <= 0.5 ? c : DEFAULT_CONTAMINATION,
  };
}
