/**
 * Grafana's index.html defines `window.grafanaBootData` before any of its bundles run; @grafana/runtime reads it
 * once, at import time, to build `config` (theme, feature toggles, build info). This module is imported first by
 * the host entry so that every later import sees it, exactly as in Grafana.
 */
const grafanaBootData = {
  assets: { dark: '', light: '' },
  navTree: [],
  user: {
    id: 1,
    uid: 'admin',
    login: 'admin',
    name: 'admin',
    email: 'admin@localhost',
    orgId: 1,
    orgName: 'Main Org.',
    orgRole: 'Admin',
    isGrafanaAdmin: true,
    isSignedIn: true,
    theme: 'dark',
    timezone: 'utc',
    weekStart: 'browser',
    locale: 'en-US',
    language: 'en-US',
    regionalFormat: 'en-US',
    permissions: {},
  },
  settings: {
    appUrl: `${window.location.origin}/`,
    appSubUrl: '',
    buildInfo: { version: '12.4.2', commit: 'browser-test-host', env: 'production', edition: 'Open Source' },
    featureToggles: {},
    datasources: {},
    panels: {},
    apps: {},
    minRefreshInterval: '5s',
    defaultDatasource: '',
    bootData: undefined,
  },
};

Object.defineProperty(window, 'grafanaBootData', { value: grafanaBootData, writable: true, configurable: true });

export {};
