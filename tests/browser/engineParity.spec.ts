/**
 * One engine, the same scores everywhere: the panel's built worker in Chromium and the engine in Node (what the CLI
 * and the proxy run) give bit-identical scores and thresholds for the same data, options and seed, in batch mode and
 * in online mode (the alerting mode, with the training window ending before the visible range).
 */
import { AnomalyDetector, OnlineDetector } from '../../pkg/engine/src';
import { generateTelemetry, METRICS } from '../../pkg/cli/src/sample/generateTelemetry';
import { toDetectorOptions } from '../../src/panels/anomaly/model/detectorOptions';
import { DEFAULT_OPTIONS } from '../../src/panels/anomaly/options/defaults';
import type { ScoreRequest } from '../../src/panels/anomaly/worker/messages';
import { expect, test } from './fixtures';
import { openHostWithPanelWorker, type ProbeModel, runPanelWorkerAnalyse, runPanelWorkerJob } from './panelWorkerProbe';

test('the panel’s worker in Chromium scores exactly as the engine in Node', async ({ host }) => {
  await openHostWithPanelWorker(host);
  const data = generateTelemetry({ start: 0, end: 3 * 86_400_000, stepMs: 60_000, hosts: ['host-a'], seed: 21 });
  const { timestamps } = data;
  const metrics = data.hosts[0].metrics;
  const models: ProbeModel[] = [
    // All five metrics as one multivariate model, and one metric on its own (3 days: seasonality features on).
    { slot: 'all', timestamps, columns: METRICS.map((m) => ({ name: m, values: metrics[m] })) },
    { slot: 'cpu', timestamps, columns: [{ name: 'cpu', values: metrics.cpu_usage_percent }] },
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
        expect(Array.from(inChromium.scores)).toEqual(Array.from(inNode.scores)); // every double, exactly
        expect(inChromium.threshold).toBe(inNode.threshold);
        expect(Array.from(inChromium.isAnomaly)).toEqual(Array.from(inNode.isAnomaly));
        expect(inChromium.isAnomaly.some((flag) => flag === 1)).toBe(true);
      }
    });
  }
});

test('the panel’s worker in Chromium flags online exactly what the engine’s OnlineDetector flags in Node', async ({
  host,
}) => {
  await openHostWithPanelWorker(host);
  const data = generateTelemetry({ start: 0, end: 2 * 86_400_000, stepMs: 60_000, hosts: ['host-a'], seed: 5 });
  const times = Array.from(data.timestamps);
  // With two spikes in the visible range, for records to flag.
  const values = Array.from(data.hosts[0].metrics.cpu_usage_percent, (v, i) => (i === 2000 || i === 2600 ? v + 80 : v));
  // Training: the first day; the window ends 37 rows before the visible range, whose rows between are scored too.
  const visibleFrom = 1440 + 37;
  const warmupEnd = times[1440];
  const options = { ...DEFAULT_OPTIONS, online: true, contamination: 0.05, trees: 60 };
  const detector = toDetectorOptions(options);
  const outcome = await runPanelWorkerAnalyse(
    host.page,
    {
      type: 'analyse',
      jobId: 1,
      detector,
      contamination: options.contamination,
      grid: { fromMs: times[visibleFrom], toMs: times[times.length - 1], columns: times.length },
      rules: { minConsecutive: 1, direction: 'both' },
      window: options.window,
      intervalMs: 60_000,
      check: { count: 19, reason: 'probe', where: 'in the training range', trainsOnScoredRows: false },
      online: true,
      onlineWarmupEndMs: warmupEnd,
    },
    {
      name: 'cpu',
      training: { times: times.slice(0, visibleFrom), values: values.slice(0, visibleFrom) },
      visible: { times: times.slice(visibleFrom), values: values.slice(visibleFrom) },
    }
  );
  const online = new OnlineDetector(
    ['cpu'],
    { ...detector, forest: { ...detector.forest, contamination: options.contamination } },
    { warmup: 1440 }
  );
  const reference = online.push({
    timestamps: Float64Array.from(times),
    columns: [{ name: 'cpu', values: Float64Array.from(values) }],
  });
  const flagged = times.filter((_, i) => i >= visibleFrom && reference.isAnomaly[i] === 1);
  expect(flagged.length).toBeGreaterThan(0);
  expect(outcome).toMatchObject({ ok: true, scoredRows: times.length - visibleFrom, flaggedRows: flagged.length });
  expect(outcome.ok && outcome.threshold).toBe(online.threshold);
  // Every flagged time, exactly: the runs of marked points ([start, end, ...]) cover exactly the flagged rows.
  const marked = outcome.ok ? outcome.runs : [];
  const inRuns = (t: number) => marked.some((_, k) => k % 2 === 0 && t >= marked[k] && t <= marked[k + 1]);
  expect(times.slice(visibleFrom).filter(inRuns)).toEqual(flagged);
});
