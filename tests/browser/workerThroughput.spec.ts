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
import type { ScoreRequest } from '../../src/panels/anomaly/worker/messages';
import { expect, test } from './fixtures';
import { repositoryRoot } from './host/buildHost';
import { openHostWithPanelWorker, type ProbeModel, runPanelWorkerJob } from './panelWorkerProbe';

const SERIES = 50;
const POINTS = 10_000;
/** analysis/analysePanel.ts EXPLAIN_TOP: the panel explains each marked point by its top 3 features. */
const EXPLAIN_TOP = 3;

test('scores 50 series × 10 000 points in the panel’s worker (throughput figure)', async ({ host }, testInfo) => {
  test.setTimeout(180_000);
  await openHostWithPanelWorker(host);

  const hosts = Array.from({ length: SERIES / METRICS.length }, (_, i) => `host-${i}`);
  const data = generateTelemetry({ start: 0, end: (POINTS - 1) * 60_000, stepMs: 60_000, hosts, seed: 11 });
  const models: ProbeModel[] = data.hosts.flatMap(({ host: name, metrics }) =>
    METRICS.map((metric) => ({
      slot: `${metric} ${name}`,
      timestamps: data.timestamps,
      columns: [{ name: `${metric} ${name}`, values: metrics[metric] }],
    }))
  );
  const request: Omit<ScoreRequest, 'models'> = {
    type: 'score',
    jobId: 1,
    detector: toDetectorOptions({ ...DEFAULT_OPTIONS }),
    contamination: DEFAULT_OPTIONS.contamination,
    explainTop: EXPLAIN_TOP,
  };

  const { elapsedMs, outcomes } = await runPanelWorkerJob(host.page, request, models);
  const outcome = {
    elapsedMs,
    models: outcomes.map((model) =>
      model.ok
        ? {
            ok: true,
            trained: model.trained,
            scored: model.scores.length,
            anomalies: model.isAnomaly.filter((a) => a === 1).length,
          }
        : model
    ),
  };

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
