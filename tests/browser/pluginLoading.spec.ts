/**
 * The built AMD bundles load through SystemJS the way Grafana loads plugins, and resolve their externals to the
 * host's shared modules: the exported `plugin` is an instance of the host's own AppPlugin / PanelPlugin class.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, test } from './fixtures';
import { grafanaPackages, grafanaVersion } from './host/buildHost';
import { anomalyPanelModulePath } from './panelDriver';
import { pluginBasePath } from './staticServer';

// The run against another Grafana release (scripts/browser-grafana-versions.sh) must not silently test the
// repository's own packages: the page reports the React and @grafana/ui it runs.
test(`the host runs @grafana/ui ${grafanaVersion()} and its React`, async ({ host }) => {
  await host.open();
  const react = JSON.parse(readFileSync(path.join(grafanaPackages, 'react', 'package.json'), 'utf8')).version;
  expect(await host.page.evaluate(() => window.__host.versions())).toEqual({ react, grafanaUi: grafanaVersion() });
});

test('the app bundle exports an AppPlugin of the host’s @grafana/data', async ({ host }) => {
  await host.open();
  const summary = await host.page.evaluate(
    (modulePath) => window.__host.loadPlugin(modulePath),
    `${pluginBasePath}/module.js`
  );
  expect(summary.exportNames).toContain('plugin');
  expect(summary.hasForeignPluginClass).toBe(false);
  expect(summary.isAppPlugin).toBe(true);
  expect(summary.isPanelPlugin).toBe(false);
  expect(host.errors).toEqual([]);
});

test('the nested anomaly panel bundle exports a PanelPlugin of the host’s @grafana/data', async ({ host }) => {
  await host.open();
  const summary = await host.page.evaluate(
    (modulePath) => window.__host.loadPlugin(modulePath),
    anomalyPanelModulePath
  );
  expect(summary.exportNames).toContain('plugin');
  expect(summary.hasForeignPluginClass).toBe(false);
  expect(summary.isPanelPlugin).toBe(true);
  expect(summary.isAppPlugin).toBe(false);
  expect(host.errors).toEqual([]);
});
