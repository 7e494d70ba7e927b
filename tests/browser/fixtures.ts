/**
 * Playwright fixtures: one static server per worker, and a host page per test that has loaded the host bundle and
 * SystemJS and records the page's errors so a test can assert there were none.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { startInfluxDB, type InfluxDBServer } from '../support/influxdb';
import { startPrometheus, type PrometheusServer } from '../support/prometheus';
import { repositoryRoot } from './host/buildHost';
import { RecordingGrafanaApi } from './recordingGrafanaApi';
import {
  missingGrafanaFontsPath,
  missingGrafanaSpinnerPath,
  startStaticServer,
  type StaticServer,
} from './staticServer';
import { buildTelemetryScenario, type TelemetryScenario } from './telemetryScenario';

export const screenshotDirectory = path.join(repositoryRoot, 'test-results', 'screenshots');

export interface HostPage {
  page: Page;
  /** Uncaught exceptions and console errors seen on the page so far. */
  errors: string[];
  open(options?: { hostPageHeaders?: Record<string, string> }): Promise<void>;
  screenshot(name: string): Promise<string>;
}

interface WorkerFixtures {
  staticServer: StaticServer;
  /** The generated telemetry with its injected anomalies (see telemetryScenario.ts). */
  scenario: TelemetryScenario;
  /** Real servers holding the scenario; started on first use, once per Playwright worker. */
  prometheus: PrometheusServer;
  influxdb: InfluxDBServer;
}

export const test = base.extend<{ host: HostPage }, WorkerFixtures>({
  scenario: [async ({}, use) => use(buildTelemetryScenario()), { scope: 'worker' }],
  prometheus: [
    async ({ scenario }, use) => {
      const server = await startPrometheus({ series: scenario.prometheusSeries });
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  influxdb: [
    async ({ scenario }, use) => {
      const server = await startInfluxDB({ database: 'telemetry', lines: scenario.influxLines });
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  staticServer: [
    async ({}, use) => {
      const server = await startStaticServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  host: async ({ page, staticServer }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
    page.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (
        response.status() >= 400 &&
        !pathname.startsWith(missingGrafanaFontsPath) &&
        pathname !== missingGrafanaSpinnerPath
      ) {
        errors.push(`HTTP ${response.status()}: ${response.url()}`);
      }
    });
    page.on('console', (message) => {
      // Failed responses are reported above, with their URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        errors.push(`console.error: ${message.text()}`);
      }
    });
    const host: HostPage = {
      page,
      errors,
      async open({ hostPageHeaders = {} } = {}) {
        staticServer.hostPageHeaders = hostPageHeaders;
        await page.goto(`${staticServer.origin}/`);
        await expect(page.locator('html[data-host-ready="true"]')).toHaveCount(1);
      },
      async screenshot(name) {
        mkdirSync(screenshotDirectory, { recursive: true });
        const file = path.join(screenshotDirectory, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
    };
    await use(host);
    staticServer.hostPageHeaders = {};
  },
});

/** The host page with a recording stand-in for Grafana's HTTP API behind it (recordingGrafanaApi.ts). */
export const testWithGrafanaApi = test.extend<{ grafanaApi: RecordingGrafanaApi }>({
  grafanaApi: async ({ staticServer }, use) => {
    const api = new RecordingGrafanaApi();
    staticServer.apiHandler = api.handle;
    await use(api);
    staticServer.apiHandler = undefined;
  },
});

export { expect };
