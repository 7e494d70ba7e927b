import { useEffect, useMemo, useRef, useState } from 'react';
import { type DataFrame, LoadingState, type PanelData, type TimeRange } from '@grafana/data';
import { type Analysis, analysePanel } from '../analysis/analysePanel';
import { retiredOutputs } from '../analysis/retiredOutputs';
import { sameFrameValues } from '../data/sameFrameValues';
import { isLongFrame } from '../data/longFrames';
import { findNumberSeries } from '../data/seriesRefs';
import { queryBaseline } from '../model/baselineQuery';
import type { AnomalyOptions } from '../types';
import inlineWorkerSource from '../worker/inlineWorkerSource';
import { pauseEvery, yieldToEventLoop } from '../worker/protocol';
import { ResilientScorer, type Scorer, startInlineWorker } from '../worker/scorer';
import { poolSize } from '../worker/workerPool';

export type AnalysisState =
  | { status: 'loading'; progress: number; previous?: Extract<Analysis, { status: 'done' }> }
  | Extract<Analysis, { status: 'no-data' }>
  | Extract<Analysis, { status: 'done' }>
  | { status: 'error'; message: string };

/**
 * Creates the panel's scorer: the inline worker (more of them, up to one per core, for many series), or the
 * main-thread fallback when none can start.
 */
export type ScorerFactory = () => Scorer;
/**
 * The main thread's work between two pauses of the copy (ms): well under the 50 ms of a long task, and enough for a
 * refresh of 50 series x 10 000 points to be copied and sent in one task (a pause there let a frame and a timer's
 * clamp in before the workers could start: ~5 ms of the refresh).
 */
const PAUSE_BUDGET_MS = 20;
/** Progress re-renders the panel at most this often. */
const PROGRESS_INTERVAL_MS = 250;
export const defaultScorerFactory: ScorerFactory = () =>
  new ResilientScorer(
    () => startInlineWorker(inlineWorkerSource),
    poolSize(typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency)
  );

/** The frames and range an analysis runs on. */
interface AnalysisInputs {
  frames: DataFrame[];
  timeRange: TimeRange;
}

/**
 * The inputs to analyse now: new data, with the range they came with. While the queries run again
 * (LoadingState.Loading, which Grafana sends with the previous result's data) the previous inputs are kept, so the
 * result shown stays and is not computed again; new data, even while loading (a query that streams its results), are
 * analysed. A new range without new data is no reason to analyse again: with "Refresh live dashboards" (liveNow)
 * Grafana renders every panel every 100 ms with the same data and the range evaluated anew (LiveNowTimer in
 * grafana/scenes packages/scenes/src/behaviors/LiveNowTimer.ts), which restarted the analysis ten times a second.
 * Nor is the same data over the same range with its field config applied again (a legend click's override, a colour,
 * a unit): that result is drawn with the new config (withDrawnFrames), not analysed again.
 */
function nextInputs(previous: AnalysisInputs, data: Pick<PanelData, 'series' | 'state'>, timeRange: TimeRange) {
  const frames = data.series;
  if (frames === previous.frames) {
    return previous;
  }
  if (data.state === LoadingState.Loading && sameFrameValues(previous.frames, frames)) {
    return previous;
  }
  if (sameRange(previous.timeRange, timeRange) && configuredAnew(previous.frames, frames)) {
    return previous;
  }
  return { frames, timeRange };
}

function sameRange(a: TimeRange, b: TimeRange): boolean {
  return a.from.valueOf() === b.from.valueOf() && a.to.valueOf() === b.to.valueOf();
}

/**
 * Whether `frames` only configure `analysed` anew: the same values, and the same series by name and identity (a
 * display name that changes a series' name is analysed again: models and the legend go by name). Grafana applies the
 * field config to new frames around the same value arrays.
 */
function configuredAnew(analysed: DataFrame[], frames: DataFrame[]): boolean {
  // Long frames are drawn as the series split off them, which carry the config of their time: analysed again.
  if (!sameFrameValues(analysed, frames) || frames.some(isLongFrame)) {
    return false;
  }
  const before = findNumberSeries(analysed);
  const after = findNumberSeries(frames);
  return (
    before.length === after.length && before.every((ref, i) => ref.name === after[i].name && ref.id === after[i].id)
  );
}

/**
 * The result drawn with the data's frames when they only configure its own frames anew: the chart, the legend and
 * the hidden series read the config from the frames they are given.
 */
function withDrawnFrames(state: AnalysisState, data: Pick<PanelData, 'series' | 'state'>): AnalysisState {
  const frames = data.series;
  if (
    state.status !== 'done' ||
    state.frames === frames ||
    data.state === LoadingState.Loading ||
    !configuredAnew(state.frames, frames)
  ) {
    return state;
  }
  return { ...state, frames };
}

/**
 * Runs the analysis whenever data or options change; a newer run makes the older one stale (its job is cancelled and
 * its answer ignored). The scorer, and with it the model cache, lives as long as the panel. Options not known yet
 * (undefined: the app's default contamination is being read) start nothing: the state stays loading.
 */
export function useAnalysis(
  data: PanelData,
  options: AnomalyOptions | undefined,
  timeRange: TimeRange,
  maxDataPoints: number,
  createScorer: ScorerFactory = defaultScorerFactory,
  columns = 1000
): { state: AnalysisState; scorer: Scorer } {
  // One scorer (worker + model cache) per panel; disposing it stops the worker, and it starts again on the next run.
  const [scorer] = useState(createScorer);
  const [state, setState] = useState<AnalysisState>({ status: 'loading', progress: 0 });
  const lastDone = useRef<Extract<Analysis, { status: 'done' }> | undefined>(undefined);
  /** The result lastDone replaced: the score pane and the legend draw it for a task more (useInLaterTask). */
  const replacedDone = useRef<Extract<Analysis, { status: 'done' }> | undefined>(undefined);
  /** The frames `state` was analysed from (a result's own frames may be split: see Analysis). */
  const [analysedFrames, setAnalysedFrames] = useState<DataFrame[] | undefined>(undefined);

  useEffect(() => () => scorer.dispose(), [scorer]);

  const [held, setHeld] = useState<AnalysisInputs>(() => ({ frames: data.series, timeRange }));
  const inputs = nextInputs(held, data, timeRange);
  if (inputs !== held) {
    setHeld(inputs); // during the render: React renders again at once, before committing
  }
  const { frames } = inputs;
  const range = inputs.timeRange;
  useEffect(() => {
    if (options === undefined) {
      return;
    }
    let stale = false;
    let lastProgressAt = Date.now();
    setState({ status: 'loading', progress: 0, previous: lastDone.current });
    analysePanel({
      frames,
      options,
      visibleRange: range,
      scorer,
      columns,
      intervalMs: data.request?.intervalMs ?? 0,
      // The copy gives the thread back every PAUSE_BUDGET_MS, not after every series.
      pause: pauseEvery(PAUSE_BUDGET_MS, yieldToEventLoop),
      isStale: () => stale,
      fetchFrames: (range, stepMs) => queryBaseline(data, range, maxDataPoints, stepMs),
      onProgress: (progress) => {
        // A re-render per model of 50 is work the page does not need: at most one per PROGRESS_INTERVAL_MS.
        const now = Date.now();
        if (!stale && now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
          lastProgressAt = now;
          setState({ status: 'loading', progress, previous: lastDone.current });
        }
      },
    })
      .then((analysis) => {
        if (stale || analysis.status === 'cancelled') {
          return;
        }
        // What the next run shows while it loads: the last result, unless the panel has shown "No data" (a failed
        // query) since: its series came back for a scoring run's length (a state-transition review).
        if (analysis.status === 'done' && lastDone.current && replacedDone.current) {
          // Two results back: drawn by nothing any more, its grid-sized buffers go back to the workers.
          scorer.giveBack?.(retiredOutputs(replacedDone.current, lastDone.current, analysis));
        }
        replacedDone.current = lastDone.current;
        lastDone.current = analysis.status === 'done' ? analysis : undefined;
        setAnalysedFrames(frames);
        setState(analysis);
      })
      .catch((error: unknown) => {
        if (!stale) {
          lastDone.current = undefined;
          setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
        }
      });
    return () => {
      stale = true;
    };
    // `data` is read for its request only when a baseline is fetched; frames + range identify a new result.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [frames, options, range, maxDataPoints, scorer, columns]);

  // "No data" of older frames is not said of new ones whose analysis has not started yet (its effect runs after this
  // render): the first query's data flashed "No data" for one render before "Training and scoring" (a review).
  const current = useMemo(
    (): AnalysisState =>
      state.status === 'no-data' && analysedFrames !== frames ? { status: 'loading', progress: 0 } : state,
    [state, analysedFrames, frames]
  );
  const drawn = useMemo(() => withDrawnFrames(current, data), [current, data]);
  return { state: drawn, scorer };
}
