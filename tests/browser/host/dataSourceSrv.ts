/**
 * Grafana core's DataSourceSrv stand-in: the instance settings of the datasources a test says the dashboard has
 * (what Grafana reads from its boot data), looked up by uid, name or reference as Grafana does. The host cannot run
 * datasource plugins: get() — which would load one — hands the queries to the test (window.__hostDataSourceQuery),
 * or fails with a message saying so.
 */
import type {
  DataFrame,
  DataQueryRequest,
  DataSourceApi,
  DataSourceInstanceSettings,
  DataSourcePluginMeta,
  DataSourceRef,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

/** A query the panel runs through getDataSourceSrv().get(...).query(...), as the test host hands it to the test. */
export interface HostDataSourceQuery {
  uid: string;
  fromMs: number;
  toMs: number;
  intervalMs: number;
  maxDataPoints: number;
  targets: DataQuery[];
}

declare global {
  interface Window {
    __hostDataSourceQuery?: (query: HostDataSourceQuery) => Promise<DataFrame[]>;
  }
}
import type { DataSourceSrv, GetDataSourceListFilters } from '@grafana/runtime';

/** What a test declares about a datasource; the rest of DataSourceInstanceSettings is filled in. */
export interface HostDatasource {
  uid: string;
  name: string;
  /** Plugin id, e.g. "prometheus" or "influxdb". */
  type: string;
  jsonData?: Record<string, unknown>;
  isDefault?: boolean;
}

/** A logo the host can show without serving Grafana's files. */
const BLANK_LOGO = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E';

function toInstanceSettings(datasource: HostDatasource, index: number): DataSourceInstanceSettings {
  return {
    id: index + 1,
    uid: datasource.uid,
    name: datasource.name,
    type: datasource.type,
    // As Grafana's bootData lists a datasource plugin: its logos are what the datasource picker shows beside a name.
    meta: {
      id: datasource.type,
      name: datasource.type,
      type: 'datasource',
      info: { logos: { small: BLANK_LOGO, large: BLANK_LOGO } },
    } as DataSourcePluginMeta,
    access: 'proxy',
    readOnly: false,
    isDefault: datasource.isDefault ?? false,
    jsonData: datasource.jsonData ?? {},
  };
}

export class HostDataSourceSrv implements DataSourceSrv {
  private settings: DataSourceInstanceSettings[] = [];

  setDatasources(datasources: HostDatasource[]): void {
    this.settings = datasources.map(toInstanceSettings);
  }

  getInstanceSettings(ref?: DataSourceRef | string | null): DataSourceInstanceSettings | undefined {
    if (ref === undefined || ref === null || (typeof ref === 'object' && ref.uid === undefined)) {
      return this.settings.find((s) => s.isDefault);
    }
    const key = typeof ref === 'string' ? ref : ref.uid;
    return this.settings.find((s) => s.uid === key || s.name === key);
  }

  getList(filters: GetDataSourceListFilters = {}): DataSourceInstanceSettings[] {
    const types = filters.type === undefined ? undefined : ([] as string[]).concat(filters.type);
    return this.settings.filter(
      (s) =>
        (types === undefined || types.includes(s.type)) &&
        (filters.pluginId === undefined || s.type === filters.pluginId) &&
        (filters.filter === undefined || filters.filter(s))
    );
  }

  /**
   * A datasource the panel can run queries on (its training queries) when the test answers them: the test exposes
   * `window.__hostDataSourceQuery` (Playwright's exposeFunction), which runs the query against a real server, as
   * the datasource plugin would, and returns its frames. Without it, get() fails as Grafana would without the plugin.
   */
  async get(ref?: DataSourceRef | string | null): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref);
    const answer = window.__hostDataSourceQuery;
    if (!settings || !answer) {
      throw new Error(`The browser test host cannot load datasource plugins (asked for ${JSON.stringify(ref)})`);
    }
    // Only what the panel uses of a DataSourceApi.
    const datasource = {
      uid: settings.uid,
      type: settings.type,
      query: async (request: DataQueryRequest) => ({
        data: await answer({
          uid: settings.uid,
          fromMs: request.range.from.valueOf(),
          toMs: request.range.to.valueOf(),
          intervalMs: request.intervalMs,
          maxDataPoints: request.maxDataPoints ?? 0,
          targets: request.targets,
        }),
      }),
    };
    return datasource as unknown as DataSourceApi;
  }

  reload(): void {}

  registerRuntimeDataSource(): void {
    throw new Error('The browser test host does not support runtime datasources');
  }
}
