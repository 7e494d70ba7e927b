/**
 * Runs scoring jobs in the panel's own worker script, as built into dist/ (the inline bundle the panel starts from a
 * blob: URL): the page keeps every JavaScript blob it turns into a URL, a short series makes the panel start its
 * worker, and each job then runs in a fresh Worker made from that exact script.
 */
import type { Page } from '@playwright/test';

import { generateTelemetry } from '../../pkg/cli/src/sample/generateTelemetry';
import type {
  AnalyseRequest,
  ModelOutcome,
  ScoreRequest,
  WorkerResponse,
} from '../../src/panels/anomaly/worker/messages';
import type { HostPage } from './fixtures';
import type { PanelFrame } from './frames';
import { renderAnomalyPanel } from './panelDriver';

declare global {
  interface Window {
    __capturedScriptBlobs?: Blob[];
  }
}

/**
 * One model of a job. Typed arrays cross into the page and back as their bytes (Playwright serialises them in
 * base64): doubles exact, and 50 series of 10 000 points in a second or two, where arrays of numbers took ~30 s.
 * An array given to several models crosses once.
 */
export interface ProbeModel {
  slot: string;
  timestamps: Float64Array;
  columns: Array<{ name: string; values: Float64Array }>;
}

/** What the worker answered for one model (ModelOutcome without its slot, counts or explanations). */
type ScoredOutcome = Extract<ModelOutcome, { ok: true }>;
type FailedOutcome = Extract<ModelOutcome, { ok: false }>;
export type ProbeOutcome =
  | Pick<ScoredOutcome, 'ok' | 'trained' | 'times' | 'scores' | 'isAnomaly' | 'threshold'>
  | Pick<FailedOutcome, 'ok' | 'code' | 'message'>;

/** Opens the host and has the panel start its worker once, keeping the worker's script for runPanelWorkerJob. */
export async function openHostWithPanelWorker(host: HostPage): Promise<void> {
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
}

/** Trains and scores `models` (training rows = scored rows) in a fresh worker made from the panel's script. */
export async function runPanelWorkerJob(
  page: Page,
  request: Omit<ScoreRequest, 'models'>,
  models: ProbeModel[]
): Promise<{ elapsedMs: number; outcomes: ProbeOutcome[] }> {
  return page.evaluate(
    async ({ request, models }) => {
      const blob = window.__capturedScriptBlobs?.[0];
      if (!blob) {
        throw new Error('The panel created no JavaScript blob: its worker script could not be captured');
      }
      const jobModels = models.map((model) => {
        // A copy each: the job's arrays are the worker's once sent, and an array may serve several models.
        const table = () => ({
          timestamps: model.timestamps.slice(),
          columns: model.columns.map((c) => ({ name: c.name, values: c.values.slice() })),
        });
        return { slot: model.slot, trainingKey: 'probe', training: table(), table: table() };
      });
      const worker = new Worker(URL.createObjectURL(blob), { name: 'panel-worker-probe' });
      const started = performance.now();
      const answer = await new Promise<WorkerResponse>((resolve, reject) => {
        worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
        worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
          if (event.data.type !== 'progress') {
            resolve(event.data);
          }
        };
        worker.postMessage({ ...request, models: jobModels });
      });
      const elapsedMs = performance.now() - started;
      worker.terminate();
      if (answer.type !== 'result') {
        throw new Error(`The worker answered ${JSON.stringify(answer)}`);
      }
      const outcomes = answer.models.map((model) =>
        model.ok
          ? {
              ok: true as const,
              trained: model.trained,
              times: model.times,
              scores: model.scores,
              isAnomaly: model.isAnomaly,
              threshold: model.threshold,
            }
          : { ok: false as const, code: model.code, message: model.message }
      );
      return { elapsedMs, outcomes };
    },
    { request, models }
  );
}

/** What the worker answered for one model of an analyse job: its counts, threshold and runs of marked points. */
export type AnalyseProbeOutcome =
  | { ok: true; scoredRows: number; flaggedRows: number; threshold: number; runs: number[] }
  | { ok: false; code: string; message: string };

/**
 * Runs one analyse job (the panel's own job: tables, training, scoring, marks) for one series in a fresh worker made
 * from the panel's script: visible rows `visible`, training rows `training`, the rest of the request as given.
 */
export async function runPanelWorkerAnalyse(
  page: Page,
  request: Omit<AnalyseRequest, 'models'>,
  series: {
    name: string;
    training: { times: number[]; values: number[] };
    visible: { times: number[]; values: number[] };
  }
): Promise<AnalyseProbeOutcome> {
  return page.evaluate(
    async ({ request, series }) => {
      const blob = window.__capturedScriptBlobs?.[0];
      if (!blob) {
        throw new Error('The panel created no JavaScript blob: its worker script could not be captured');
      }
      const column = (rows: { times: number[]; values: number[] }) => ({
        name: series.name,
        times: Float64Array.from(rows.times),
        values: Float64Array.from(rows.values),
      });
      const model = {
        slot: 'probe',
        trainingKey: 'probe',
        columns: [column(series.visible)],
        training: [column(series.training)],
        mayTrain: true,
      };
      const worker = new Worker(URL.createObjectURL(blob), { name: 'panel-worker-probe' });
      const answer = await new Promise<WorkerResponse>((resolve, reject) => {
        worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
        worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
          if (event.data.type !== 'progress' && event.data.type !== 'warmed-up') {
            resolve(event.data);
          }
        };
        worker.postMessage({ ...request, models: [model] });
      });
      worker.terminate();
      if (answer.type !== 'analysed') {
        throw new Error(`The worker answered ${JSON.stringify(answer)}`);
      }
      const [outcome] = answer.models;
      return outcome.ok
        ? {
            ok: true as const,
            scoredRows: outcome.scoredRows,
            flaggedRows: outcome.flaggedRows,
            threshold: outcome.threshold,
            runs: Array.from(outcome.series[0].runs),
          }
        : { ok: false as const, code: outcome.code, message: outcome.message };
    },
    { request, series }
  );
}
