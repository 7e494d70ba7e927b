/**
 * Browser tests of the built plugin in a Grafana-like host page (see host/), run with the system Chromium.
 * Run: npm run test:browser   (builds dist/ first), or  npx playwright test -c tests/browser/playwright.config.ts
 */
import { defineConfig } from '@playwright/test';
import path from 'node:path';

const repositoryRoot = path.resolve(__dirname, '..', '..');

export default defineConfig({
  testDir: __dirname,
  testMatch: /.*\.spec\.ts$/,
  // Maps @telemetry-analyzer/engine to its sources (the data generator uses it), as jest does.
  tsconfig: path.join(__dirname, 'tsconfig.json'),
  globalSetup: path.join(__dirname, 'globalSetup.ts'),
  outputDir: path.join(repositoryRoot, 'test-results', 'browser'),
  // Two cores shared with Prometheus and InfluxDB: one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1200, height: 700 },
    trace: 'retain-on-failure',
    launchOptions: {
      // The machine's Chromium; Playwright's own browser downloads are not available here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-quic',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
});
