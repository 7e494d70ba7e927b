/**
 * One engine, the same scores everywhere: the panel's built worker in Chromium and the engine in Node (what the CLI
 * and the proxy run) give bit-identical scores and thresholds for the same data, options and seed.
 */
import { AnomalyDetector } from '../../pkg/engine/src';
import { generateTelemetry, METRICS } from '../../pkg/cli/src/sample/generateTelemetry';
import { toDetectorOptions } from '../../src/panels/anomaly/model/detectorOptions';
import { DEFAULT_OPTIONS } from '../../src/panels/anomaly/options/defaults';
import type { ScoreRequest } from '../../src/panels/anomaly/worker/messages';
import { expect, test } from './fixtures';
import { openHostWithPanelWorker, type ProbeModel, runPanelWorkerJob } from './panelWorkerProbe';

test('the panel’s worker in Chromium scores exactly as the engine in Node', async ({ host }) => {
  await openHostWithPanelWorker(host);
  const data = generateTelemetry({ start: 0, end: 3 * 86_400_000, stepMs: 60_000, hosts: ['host-a'], seed: 21 });
  const timestamps = Array.from(data.timestamps);
  const metrics = data.hosts[0].metrics;
  const models: ProbeModel[] = [
    // All five metrics as one multivariate model, and one metric on its own (3 days: seasonality features on).
    { slot: 'all', timestamps, columns: METRICS.map((m) => ({ name: m, values: Array.from(metrics[m]) })) },
    { slot: 'cpu', timestamps, columns: [{ name: 'cpu', values: Array.from(metrics.cpu_usage_percent) }] },
  ];
  for (const seed of [42, 7]) {
    const options = { ...DEFAULT_OPTIONS, seed, contamination: 0.02 };
    const request: Omit<ScoreRequest, 'models'> = {
      type: 'score',
      jobId: seed,
      detector: toDetectorOptions(options),
      contamination: options.contamination,
      explainTop: 3,
    };
    const { outcomes } = await runPanelWorkerJob(host.page, request, models);

    models.forEach((model, i) => {
      const table = {
        timestamps: Float64Array.from(model.timestamps),
        columns: model.columns.map((c) => ({ name: c.name, values: Float64Array.from(c.values) })),
      };
      const { results } = AnomalyDetector.trainAndScore(table, {
        ...request.detector,
        forest: { ...request.detector.forest, contamination: request.contamination },
        mode: 'multivariate',
      });
      const inNode = results[0];
      const inChromium = outcomes[i];
      expect(inChromium.ok).toBe(true);
      if (inChromium.ok) {
        expect(inChromium.scores).toEqual(Array.from(inNode.scores)); // every double, exactly
        expect(inChromium.threshold).toBe(inNode.threshold);
        expect(inChromium.isAnomaly).toEqual(Array.from(inNode.isAnomaly));
        expect(inChromium.isAnomaly.some((flag) => flag === 1)).toBe(true);
      }
    });
  }
});
