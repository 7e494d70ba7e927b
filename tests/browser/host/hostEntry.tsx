/**
 * Entry of the browser test host: a minimal stand-in for Grafana's front end that loads the built plugin bundles
 * from dist/ through SystemJS's AMD extra (as Grafana's plugin loader does) and renders the panel. Grafana core's
 * services that plugins reach through @grafana/runtime (getBackendSrv, getDataSourceSrv, getTemplateSrv) are
 * registered with host stand-ins at start-up.
 * The test drives it through `window.__host` (and `window.__setPanelData`) with page.evaluate.
 */
import './bootData'; // must stay the first import: @grafana/runtime reads window.grafanaBootData when it loads
import React from 'react';
import { createRoot, type Root } from 'react-dom/client';
// v6, as Grafana shares 'react-router' with plugins (react-router-dom-v5-compat); buildHost.ts pins it.
import { MemoryRouter } from 'react-router';
import {
  AppPlugin,
  type AppPluginMeta,
  type DataFrame,
  type PanelPlugin,
  PanelPlugin as PanelPluginClass,
  ThemeContext,
} from '@grafana/data';
import { config, setBackendSrv, setDataSourceSrv, setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';

import { createBackendSrv } from './backendSrv';
import { type HostDatasource, HostDataSourceSrv } from './dataSourceSrv';
import {
  PanelHost,
  processFrames,
  type PanelHostInput,
  type PanelHostObservations,
  type PanelQueryRequest,
} from './PanelHost';
import { registerSharedModules } from './sharedModules';
import { registerStandardFieldConfigs } from './standardFieldConfigs';
import { registerStandardOptionEditors } from './standardOptionEditors';
import { getSystemJS } from './systemjs';
import { HostTemplateSrv } from './templateSrv';

export interface LoadedPluginSummary {
  exportNames: string[];
  isAppPlugin: boolean;
  isPanelPlugin: boolean;
  /** True when the plugin's AppPlugin/PanelPlugin class is a different copy than the host's (a bundling mistake). */
  hasForeignPluginClass: boolean;
}

export interface RenderPanelRequest {
  /** URL path of the panel's module.js, e.g. /public/plugins/<app id>/panels/anomaly/module.js */
  modulePath: string;
  series: DataFrame[];
  timeRange: PanelHostInput['timeRange'];
  width: number;
  height: number;
  options?: Record<string, unknown>;
  /** data.request of the panel: its targets, dashboard uid and scoped variables. */
  queryRequest?: PanelQueryRequest;
  /** The datasources Grafana knows (getDataSourceSrv().getInstanceSettings); none by default. */
  datasources?: HostDatasource[];
  /** Dashboard template variables by name (getTemplateSrv().replace); none by default. */
  dashboardVariables?: Record<string, string>;
  /** More panels of the same plugin on the page (PanelHostInput.extraPanels). */
  extraPanels?: PanelHostInput['extraPanels'];
  /** The dashboard's graph tooltip setting (PanelHostInput.cursorSync). */
  cursorSync?: PanelHostInput['cursorSync'];
}

// What Grafana core does at start-up, before any plugin loads.
registerStandardOptionEditors();
registerStandardFieldConfigs();
const dataSourceSrv = new HostDataSourceSrv();
const templateSrv = new HostTemplateSrv();
setBackendSrv(createBackendSrv());
setDataSourceSrv(dataSourceSrv);
setTemplateSrv(templateSrv);

/**
 * Grafana renders GlobalStyles once, in the app's root (public/app/AppWrapper.tsx); new panel data re-renders the
 * panel, not them. The host re-renders its whole tree on every setPanelData, so they are memoised to stay as they are
 * (re-serialising them took ~10-30 ms of main-thread CPU per data update, which is no panel's cost).
 */
const AppGlobalStyles = React.memo(GlobalStyles);

let sharedModulesRegistered = false;
let root: Root | undefined;
let currentInput: PanelHostInput | undefined;
const observations: PanelHostObservations = {
  options: {},
  panelRenderCount: 0,
  optionsChangedByPanel: 0,
  timeRangeChangeRequests: [],
};

function ensureLoaderReady() {
  const system = getSystemJS();
  if (!sharedModulesRegistered) {
    registerSharedModules(system);
    sharedModulesRegistered = true;
  }
  return system;
}

async function importPluginModule(modulePath: string): Promise<Record<string, unknown>> {
  return ensureLoaderReady().import(new URL(modulePath, window.location.href).href);
}

function summarize(exports: Record<string, unknown>): LoadedPluginSummary {
  const plugin = exports.plugin as { constructor?: { name?: string } } | undefined;
  const isAppPlugin = plugin instanceof AppPlugin;
  const isPanelPlugin = plugin instanceof PanelPluginClass;
  const className = plugin?.constructor?.name ?? '';
  return {
    exportNames: Object.keys(exports).sort(),
    isAppPlugin,
    isPanelPlugin,
    hasForeignPluginClass: !isAppPlugin && !isPanelPlugin && /Plugin$/.test(className),
  };
}

/** Grafana reads a plugin's plugin.json next to module.js and attaches it as `meta` before rendering. */
async function readPluginJson(modulePath: string) {
  const metaUrl = new URL('plugin.json', new URL(modulePath, window.location.href)).href;
  const response = await fetch(metaUrl);
  if (!response.ok) {
    throw new Error(`Cannot read ${metaUrl}: HTTP ${response.status}`);
  }
  return response.json();
}

async function loadPanelPlugin(modulePath: string): Promise<PanelPlugin> {
  const exports = await importPluginModule(modulePath);
  const plugin = exports.plugin;
  if (!(plugin instanceof PanelPluginClass)) {
    throw new Error(`${modulePath} does not export a PanelPlugin of the host's @grafana/data as "plugin"`);
  }
  const pluginJson = await readPluginJson(modulePath);
  plugin.meta = {
    ...pluginJson,
    module: modulePath.replace(/^\//, ''),
    baseUrl: modulePath.replace(/^\//, '').replace(/\/module\.js$/, ''),
  };
  return plugin;
}

export interface RenderAppRequest {
  /** URL path of the app's module.js. */
  modulePath: string;
  /** The app's root page, or its first configuration page (Administration → Plugins → the app). */
  page: 'root' | 'config';
  /** The app's saved settings (plugin.meta.jsonData). */
  jsonData?: Record<string, unknown>;
  /** Datasources known to getDataSourceSrv(); none by default. */
  datasources?: HostDatasource[];
}

/** Renders an app plugin's root or configuration page as Grafana does: meta from plugin.json, inside a router. */
async function renderApp({ modulePath, page, jsonData = {}, datasources = [] }: RenderAppRequest): Promise<void> {
  dataSourceSrv.setDatasources(datasources);
  const exports = await importPluginModule(modulePath);
  const plugin = exports.plugin;
  if (!(plugin instanceof AppPlugin)) {
    throw new Error(`${modulePath} does not export an AppPlugin of the host's @grafana/data as "plugin"`);
  }
  const pluginJson = await readPluginJson(modulePath);
  const baseUrl = modulePath.replace(/^\//, '').replace(/\/module\.js$/, '');
  plugin.meta = {
    ...pluginJson,
    enabled: true,
    pinned: true,
    jsonData,
    module: modulePath.replace(/^\//, ''),
    baseUrl,
  };
  const appUrl = `/a/${pluginJson.id}`;
  const Root = plugin.root;
  const ConfigPage = plugin.configPages?.[0]?.body;
  if (!(page === 'root' ? Root : ConfigPage)) {
    throw new Error(`${modulePath} has no ${page === 'root' ? 'root page' : 'configuration page'}`);
  }
  root ??= createRoot(document.getElementById('root')!);
  root.render(
    <ThemeContext.Provider value={config.theme2}>
      <AppGlobalStyles />
      <MemoryRouter initialEntries={[appUrl]}>
        {page === 'root' && Root ? (
          <Root
            meta={plugin.meta as AppPluginMeta}
            basename={appUrl}
            path={appUrl}
            query={{}}
            onNavChanged={() => {}}
          />
        ) : (
          ConfigPage && <ConfigPage plugin={plugin} query={{}} />
        )}
      </MemoryRouter>
    </ThemeContext.Provider>
  );
}

function render(input: PanelHostInput) {
  currentInput = input;
  root ??= createRoot(document.getElementById('root')!);
  root.render(
    <ThemeContext.Provider value={config.theme2}>
      <AppGlobalStyles />
      <PanelHost input={input} observations={observations} />
    </ThemeContext.Provider>
  );
}

async function renderPanel({
  datasources = [],
  dashboardVariables = {},
  ...request
}: RenderPanelRequest): Promise<void> {
  const plugin = await loadPanelPlugin(request.modulePath);
  dataSourceSrv.setDatasources(datasources);
  templateSrv.setDashboardVariables(dashboardVariables);
  render({ ...request, plugin });
}

function setPanelData(series: DataFrame[], timeRange?: PanelHostInput['timeRange'], processed = false): void {
  if (!currentInput) {
    throw new Error('setPanelData called before renderPanel');
  }
  render({ ...currentInput, series, timeRange: timeRange ?? currentInput.timeRange, processed });
}

/** Runs the query runner's processing (applyFieldOverrides with the panel's defaults) on frames, ahead of time. */
function processPanelFrames(series: DataFrame[]): DataFrame[] {
  if (!currentInput) {
    throw new Error('processPanelFrames called before renderPanel');
  }
  return processFrames(series, currentInput.plugin.fieldConfigDefaults, currentInput.plugin);
}

/** Set by the host's webpack build (buildHost.ts): the @grafana/ui version it bundled. */
declare const __HOST_GRAFANA_UI_VERSION__: string;

const host = {
  /** The shared libraries this host runs the plugin against (tests/browser/grafana-versions). */
  versions: () => ({ react: React.version, grafanaUi: __HOST_GRAFANA_UI_VERSION__ }),
  loadPlugin: async (modulePath: string) => summarize(await importPluginModule(modulePath)),
  renderPanel,
  renderApp,
  setPanelData,
  processPanelFrames,
  observations: () => ({ ...observations, options: JSON.parse(JSON.stringify(observations.options)) }),
};

export type BrowserTestHost = typeof host;

Object.assign(window, { __host: host, __setPanelData: setPanelData });
document.documentElement.dataset.hostReady = 'true';
