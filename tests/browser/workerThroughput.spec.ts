/**
 * The report's throughput figure: 50 series × 10 000 points, features + fit + score, in the panel's own built
 * worker (the inline bundle it starts from a blob: URL). The test reuses that exact script in a second worker it
 * starts itself and sends one scoring job with the panel's default detector options. It checks the answer and
 * records the time (never asserts it): annotation "worker-throughput" and
 * test-results/browser/worker-throughput.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { generateTelemetry, METRICS } from '../../pkg/cli/src/sample/generateTelemetry';
import { toDetectorOptions, warmupPoints } from '../../src/panels/anomaly/model/detectorOptions';
import { DEFAULT_OPTIONS } from '../../src/panels/anomaly/options/defaults';
import type { ModelOutcome, ScoreRequest, WorkerResponse } from '../../src/panels/anomaly/worker/messages';
import { expect, test } from './fixtures';
import type { PanelFrame } from './frames';
import { repositoryRoot } from './host/buildHost';
import { renderAnomalyPanel } from './panelDriver';

const SERIES = 50;
const POINTS = 10_000;
/** analysis/analysePanel.ts EXPLAIN_TOP: the panel explains each marked point by its top 3 features. */
const EXPLAIN_TOP = 3;

declare global {
  interface Window {
    __capturedScriptBlobs?: Blob[];
  }
}

test('scores 50 series × 10 000 points in the panel’s worker (throughput figure)', async ({ host }, testInfo) => {
  test.setTimeout(180_000);
  // Keep every JavaScript blob the page turns into a URL: the panel revokes its worker URL after a while.
  await host.page.addInitScript(() => {
    const createObjectURL = URL.createObjectURL.bind(URL);
    window.__capturedScriptBlobs = [];
    URL.createObjectURL = (object: Blob | MediaSource) => {
      if (object instanceof Blob && /javascript/.test(object.type)) {
        window.__capturedScriptBlobs!.push(object);
      }
      return createObjectURL(object);
    };
  });
  const panelWorker = host.page.waitForEvent('worker');
  await host.open();
  // The panel starts its worker when it has a series to score: give it one short series.
  const warmUp = generateTelemetry({ start: 0, end: 119 * 60_000, stepMs: 60_000, seed: 3 });
  const warmUpFrame: PanelFrame = {
    name: 'warm-up',
    refId: 'A',
    length: warmUp.timestamps.length,
    fields: [
      { name: 'Time', type: 'time', values: Array.from(warmUp.timestamps), config: {} },
      { name: 'Value', type: 'number', values: Array.from(warmUp.hosts[0].metrics.cpu_usage_percent), config: {} },
    ],
  };
  await renderAnomalyPanel(host.page, { frames: [warmUpFrame], fromMs: 0, toMs: 119 * 60_000 });
  await panelWorker;

  const hosts = Array.from({ length: SERIES / METRICS.length }, (_, i) => `host-${i}`);
  const data = generateTelemetry({ start: 0, end: (POINTS - 1) * 60_000, stepMs: 60_000, hosts, seed: 11 });
  const series = data.hosts.flatMap(({ host: name, metrics }) =>
    METRICS.map((metric) => ({ name: `${metric} ${name}`, values: Array.from(metrics[metric]) }))
  );
  const request: Omit<ScoreRequest, 'models'> = {
    type: 'score',
    jobId: 1,
    detector: toDetectorOptions({ ...DEFAULT_OPTIONS }),
    contamination: DEFAULT_OPTIONS.contamination,
    explainTop: EXPLAIN_TOP,
  };

  const outcome = await host.page.evaluate(
    async ({ request, timestamps, series }) => {
      const blob = window.__capturedScriptBlobs?.[0];
      if (!blob) {
        throw new Error('The panel created no JavaScript blob: its worker script could not be captured');
      }
      const models = series.map((one, i) => {
        const table = () => ({
          timestamps: Float64Array.from(timestamps),
          columns: [{ name: one.name, values: Float64Array.from(one.values) }],
        });
        return { slot: `series-${i}`, trainingKey: 'throughput', training: table(), table: table() };
      });
      const worker = new Worker(URL.createObjectURL(blob), { name: 'throughput-probe' });
      const started = performance.now();
      const answer = await new Promise<WorkerResponse>((resolve, reject) => {
        worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
        worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
          if (event.data.type !== 'progress') {
            resolve(event.data);
          }
        };
        worker.postMessage({ ...request, models });
      });
      const elapsedMs = performance.now() - started;
      worker.terminate();
      if (answer.type !== 'result') {
        throw new Error(`The worker answered ${JSON.stringify(answer)}`);
      }
      const summarize = (model: ModelOutcome) =>
        model.ok
          ? {
              ok: true,
              trained: model.trained,
              scored: model.scores.length,
              anomalies: model.isAnomaly.reduce((a, b) => a + b, 0),
            }
          : { ok: false, code: model.code, message: model.message };
      return { elapsedMs, models: answer.models.map(summarize) };
    },
    { request, timestamps: Array.from(data.timestamps), series }
  );

  expect(outcome.models).toHaveLength(SERIES);
  const warmup = warmupPoints(DEFAULT_OPTIONS);
  for (const model of outcome.models) {
    expect(model).toEqual({ ok: true, trained: true, scored: POINTS - warmup, anomalies: expect.any(Number) });
  }

  const figure = {
    series: SERIES,
    pointsPerSeries: POINTS,
    trees: DEFAULT_OPTIONS.trees,
    window: DEFAULT_OPTIONS.window,
    lags: DEFAULT_OPTIONS.lags,
    explainTop: EXPLAIN_TOP,
    elapsedMs: Math.round(outcome.elapsedMs),
    browser: `chromium ${host.page.context().browser()?.version()}`,
  };
  testInfo.annotations.push({ type: 'worker-throughput', description: JSON.stringify(figure) });
  const file = path.join(repositoryRoot, 'test-results', 'browser', 'worker-throughput.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(figure, null, 2) + '\n');
  console.log(`worker throughput: ${SERIES} series × ${POINTS} points in ${figure.elapsedMs} ms`);
});
