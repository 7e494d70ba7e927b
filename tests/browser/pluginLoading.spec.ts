/**
 * The built AMD bundles load through SystemJS the way Grafana loads plugins, and resolve their externals to the
 * host's shared modules: the exported `plugin` is an instance of the host's own AppPlugin / PanelPlugin class.
 */
import { expect, test } from './fixtures';
import { anomalyPanelModulePath } from './panelDriver';
import { pluginBasePath } from './staticServer';

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
