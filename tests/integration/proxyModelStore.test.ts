// The model store stays within modelStore.maxBytes whatever option values clients invent (each seed= is a new
// model): the least recently used files go, telemetry_proxy_model_store_bytes reports what is kept.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { prometheusServing } from '../support/datasetPrometheus';
import { startProxyUnderTest } from '../support/proxyUnderTest';
import { stopAfterEach } from '../support/stopAfterEach';
import { STEP_MS, buildTelemetryDataset } from '../support/telemetryDataset';
import { makeTempDir, removeTempDir } from '../support/tempDir';

const dataset = buildTelemetryDataset();
const stopLater = stopAfterEach();
const prometheus = prometheusServing(dataset);

function metric(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0
  );
}

describe('the model store', () => {
  it('keeps within modelStore.maxBytes while clients create models with new option values', async () => {
    const directory = makeTempDir('proxy-model-store');
    stopLater({ stop: () => removeTempDir(directory) });
    const maxBytes = 400_000;
    const proxy = stopLater(
      await startProxyUnderTest({
        prometheusUrl: prometheus().url,
        modelStoreDirectory: directory,
        modelStoreMaxBytes: maxBytes,
      })
    );
    const storeBytes = () =>
      readdirSync(directory).reduce((sum, name) => sum + statSync(join(directory, name)).size, 0);
    for (let seed = 1; seed <= 12; seed++) {
      const response = await fetch(`${proxy.url}/api/v1/query_range`, {
        method: 'POST',
        body: new URLSearchParams({
          query: `anomaly_score(cpu_usage_percent, train="1d", trees=50, seed=${seed})`,
          start: String((dataset.end - 3_600_000) / 1000),
          end: String(dataset.end / 1000),
          step: String(STEP_MS / 1000),
        }),
      });
      expect([seed, response.status]).toEqual([seed, 200]);
      expect(storeBytes()).toBeLessThanOrEqual(maxBytes);
    }
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metric(metrics, 'telemetry_proxy_model_trainings_total')).toBe(24);
    expect(metric(metrics, 'telemetry_proxy_model_store_removals_total')).toBeGreaterThan(0);
    expect(metric(metrics, 'telemetry_proxy_model_store_bytes')).toBe(storeBytes());
  });
});
