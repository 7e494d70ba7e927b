import React, { useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { type DataFrame, FieldType, type GrafanaTheme2, LoadingState, type PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { MIN_RECORD_HISTORY } from '@telemetry-analyzer/engine';
import { Alert, usePanelContext, useStyles2 } from '@grafana/ui';
import { CreateAlertRuleButton } from '../alerting/CreateAlertRuleButton';
import { type ModelAnalysis, utcMinute } from '../analysis/analysePanel';
import { anomalyCountText, anomalyCounts } from '../analysis/anomalyCounts';
import { flagShareNotice } from '../analysis/flagShareNotice';
import { queryErrorText } from '../data/queryErrors';
import { timeFieldInSeconds } from '../data/secondsTimeField';
import { trainingQueriesUnavailable, unusableFixedRange } from '../model/trainingRange';
import { NOTHING_HIDDEN, dashboardKeepsVisibility, hiddenByFieldConfig } from '../render/seriesVisibility';
import { useAppDefaultContamination } from '../options/appDefaults';
import { DEFAULT_OPTIONS, savedContamination, withDefaults } from '../options/defaults';
import { NO_VISIBLE_DATA } from '../pipeline/checkTraining';
import { VISIBLE_WARMUP_SHARE } from '../pipeline/onlineScore';
import { testIds } from '../testIds';
import type { AnomalyOptions } from '../types';
import { AnomalyChart } from './AnomalyChart';
import { PanelMessage } from './PanelMessage';
import type { Scorer } from '../worker/scorer';
import { type ScorerFactory, defaultScorerFactory, useAnalysis } from './useAnalysis';
import { useAnnotationWriter } from './useAnnotationWriter';
import { useElementHeight } from './useElementHeight';

export interface AnomalyPanelProps extends PanelProps<AnomalyOptions> {
  /** For tests and hosts that bring their own scorer; defaults to the inline worker with main-thread fallback. */
  createScorer?: ScorerFactory;
}

const DEFAULT_MAX_DATA_POINTS = 1000;
/** The header line with the anomaly count and the alert rule button. */
const HEADER_HEIGHT = 20;
/** The most of the panel's height its notices take (they scroll beyond it); the chart keeps the rest. */
const NOTICES_MAX_SHARE = 0.35;

/** The anomaly panel: series with their anomalies, never blank (every state says what is going on). */
export function AnomalyPanel(props: AnomalyPanelProps) {
  const { data, width, height, timeRange, timeZone, id } = props;
  const s = useStyles2(getStyles);
  const [noticesRef, noticesHeight] = useElementHeight<HTMLDivElement>();
  const { options, settled, unreadableDefault } = usePanelOptions(props.options);
  // A public dashboard: no queries of the panel's own (training ranges), no alert rules, no annotations written.
  const publicDashboard = Boolean(config.publicDashboardAccessToken);
  const trainingUnavailable = trainingQueriesUnavailable(options.training, data.request?.targets, publicDashboard);
  const analysisOptions = useMemo(
    (): AnomalyOptions =>
      trainingUnavailable ? { ...options, training: { ...options.training, kind: 'visible' } } : options,
    [options, trainingUnavailable]
  );
  const maxDataPoints = data.request?.maxDataPoints ?? DEFAULT_MAX_DATA_POINTS;
  // Nothing is scored before the contamination is settled (the app's default read, or known unreadable): a result at
  // the built-in 0.01 was shown, then replaced, and its anomalies written as annotations (a browser review).
  const { state, scorer } = useAnalysis(
    data,
    settled ? analysisOptions : undefined,
    timeRange,
    maxDataPoints,
    props.createScorer ?? defaultScorerFactory,
    width
  );

  const warmingUp = useWarmingUp(scorer);

  const shown = state.status === 'done' ? state : state.status === 'loading' ? state.previous : undefined;
  // Series hidden in the legend, by name: the chart leaves them out, the header's count too. Grafana saves the choice
  // with the dashboard (a field override the panel reads back: seriesVisibility.ts); without its callback, the panel
  // holds it (a refresh keeps them hidden).
  const { onToggleSeriesVisibility: dashboardToggle } = usePanelContext();
  // Once per result, not per render (progress re-renders the panel): display names over every series.
  const onToggleSeriesVisibility = useMemo(
    () =>
      dashboardToggle && shown && dashboardKeepsVisibility(shown.models, shown.frames, shown.framesSplit)
        ? dashboardToggle
        : undefined,
    [dashboardToggle, shown]
  );
  const [localHidden, setLocalHidden] = useState<ReadonlySet<string>>(() => new Set());
  const savedHidden = useMemo(
    () => (onToggleSeriesVisibility && shown ? hiddenByFieldConfig(shown.models, shown.frames) : undefined),
    [onToggleSeriesVisibility, shown]
  );
  const hiddenSeries = savedHidden ?? localHidden;
  // "Hide in area" for the legend and the tooltip, set in the field config (defaults or overrides) as for Grafana's
  // time series panel: the series stays drawn and analysed, it is only left out there.
  const hiddenFrom = useMemo(
    () =>
      shown
        ? {
            legend: hiddenByFieldConfig(shown.models, shown.frames, 'legend'),
            tooltip: hiddenByFieldConfig(shown.models, shown.frames, 'tooltip'),
          }
        : NOTHING_HIDDEN,
    [shown]
  );
  const regions = useMemo(
    () => (shown && options.writeAnnotations ? annotationRegions(shown.models) : undefined),
    [shown, options.writeAnnotations]
  );
  // Written on saved dashboards only: without a uid Grafana makes an organisation annotation (Viewers may not), read
  // back across every dashboard of the organisation; a public dashboard's viewers may not write.
  const dashboardUID = data.request?.dashboardUID;
  useAnnotationWriter(
    options.writeAnnotations && settled && state.status === 'done' && Boolean(dashboardUID) && !publicDashboard,
    regions,
    dashboardUID,
    id
  );

  const container = (status: string, children: React.ReactNode, extra: Record<string, string | number> = {}) => (
    <div
      className={s.root}
      style={{ width, height }}
      data-testid={testIds.panel.container}
      data-state={status}
      data-warm-up={warmingUp ? 'running' : 'idle'}
      {...extra}
    >
      {children}
    </div>
  );

  if (state.status === 'error') {
    return container(
      'error',
      <PanelMessage testId={testIds.panel.error} tone="error" title="Anomaly detection failed" detail={state.message} />
    );
  }
  // A query that failed and left nothing to analyse says why, not "No data" (with some data left, the rest is shown
  // and Grafana's panel header tells of the error).
  const queryError = queryErrorText(data);
  if (queryError !== undefined && (data.series.length === 0 || state.status === 'no-data')) {
    return container(
      'error',
      <PanelMessage testId={testIds.panel.error} tone="error" title="The query failed" detail={queryError} />
    );
  }
  // Still loading (the first query of a new panel), or not started yet (a dashboard's panel before its first query
  // runs): not "No data" yet.
  if (state.status === 'no-data' && data.state !== LoadingState.Loading && data.state !== LoadingState.NotStarted) {
    return container('no-data', noDataMessage(data.series, props.fieldConfig?.defaults?.noValue));
  }
  if (!shown) {
    const progress = state.status === 'loading' ? state.progress : 0;
    return container(
      'loading',
      <div data-testid={testIds.panel.loading} data-progress={progress.toFixed(2)} className={s.loading}>
        <ProgressBar progress={progress} className={s.progress} />
        {/* Nothing to train on yet while the first query runs. */}
        <span>
          {!settled
            ? 'Reading the app’s default contamination…'
            : state.status === 'loading' && data.series.length > 0
              ? `Training and scoring… ${Math.round(progress * 100)}%`
              : 'Waiting for data…'}
        </span>
      </div>
    );
  }

  const failed = shown.models.filter((m) => m.problem);
  const contaminationNote = unreadableDefault && (
    <div key="app-default" className={s.note} data-testid={testIds.panel.appDefaultNote}>
      The app’s default contamination could not be read ({unreadableDefault}): this panel uses the built-in{' '}
      {DEFAULT_OPTIONS.contamination}.
    </div>
  );
  const scored = shown.models.filter((m) => m.outcome);
  // No model analysed: the panel says why, over the series' lines when the worker could draw them.
  const noneScored = scored.length === 0;
  if (noneScored && !failed.some((m) => m.unscored)) {
    return container(failureState(failed), wholePanelProblem(failed));
  }

  const notices: React.ReactNode[] = [];
  if (contaminationNote) {
    notices.push(contaminationNote);
  }
  if (noneScored) {
    notices.push(wholePanelNotice(failed));
  }
  if (scorer?.kind === 'main-thread') {
    notices.push(
      <Alert
        key="fallback"
        severity="info"
        title="Scoring on the main thread"
        data-testid={testIds.panel.workerFallbackNotice}
      >
        {scorer.fallbackReason}. The dashboard may respond slower while large panels are scored.
      </Alert>
    );
  }
  const unusableRange = trainingUnavailable === undefined ? unusableFixedRange(options.training) : undefined;
  const queryFailed = shown.trainingQueryFailed && `The training query failed (${shown.trainingQueryFailed})`;
  const fixedRangeProblem = trainingUnavailable ?? unusableRange ?? queryFailed;
  if (fixedRangeProblem !== undefined) {
    notices.push(
      <Alert
        key="training-range"
        severity="warning"
        title="Training on the visible range"
        data-testid={testIds.panel.trainingRangeNotice}
      >
        {fixedRangeProblem}: the models train on the visible range instead.
        {unusableRange === undefined ? '' : ' Set its start and end under Training range in the panel options.'}
      </Alert>
    );
  }
  const capped = fixedRangeProblem === undefined ? shown.trainingCapped : undefined;
  if (capped !== undefined) {
    notices.push(
      <Alert
        key="training-cap"
        severity="info"
        title={`Training on the newest ${capped.rows.toLocaleString('en-US')} points`}
        data-testid={testIds.panel.trainingCapNotice}
      >
        The training range holds more points at this panel&apos;s step than a model trains on: the models train on its
        newest {capped.rows.toLocaleString('en-US')} ({utcMinute(capped.fromMs)} to {utcMinute(capped.toMs)} UTC). A
        larger Min interval in the query options, or a shorter training range, lets them cover all of it.
      </Alert>
    );
  }
  if (failed.length > 0 && !noneScored) {
    notices.push(
      <Alert
        key="models"
        severity="warning"
        title="Some series were not analysed"
        data-testid={testIds.panel.modelNotice}
      >
        {failed.map((m) => (
          <div key={m.model.key}>
            {m.model.label}: {m.problem!.message}
          </div>
        ))}
      </Alert>
    );
  }
  if (shown.outsideRange > 0) {
    notices.push(
      <Alert
        key="outside-range"
        severity="info"
        title="Points outside the time range left out"
        data-testid={testIds.panel.outsideRangeNotice}
        data-points={shown.outsideRange}
      >
        {shown.outsideRange} points lie outside the dashboard&apos;s time range: they are not analysed, drawn or
        counted.{' '}
        {timeFieldInSeconds(data.series, { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() })
          ? 'The time field holds seconds where milliseconds are expected: multiply it by 1000 in the query (or ' +
            'convert the column with the "Convert field type" transformation).'
          : 'Does the query follow the time range ($__timeFilter in SQL, $timeFilter in InfluxQL)?'}
      </Alert>
    );
  }
  const unlabelled = shown.models.find((a) => a.model.unlabelled);
  if (unlabelled !== undefined) {
    // A review: a group-by label no series has made one model of every series, without a word.
    const count = unlabelled.model.series.length;
    notices.push(
      <div key="unlabelled" className={s.note} data-testid={testIds.panel.groupByNote}>
        {shown.models.length === 1
          ? `No series has the label "${options.groupByLabel}" (Group by label): all ${count} make one model.`
          : `${count} of the series ${count === 1 ? 'has' : 'have'} no label "${options.groupByLabel}" (Group by label): ${count === 1 ? 'it makes a model of its own' : 'they make one model together'}, ${unlabelled.model.label}.`}
      </div>
    );
  }
  const alignments = scored.filter((m) => m.outcome!.alignment);
  if (alignments.length > 0) {
    const total = alignments.reduce(
      (sum, m) => {
        const a = m.outcome!.alignment!;
        return {
          aligned: sum.aligned + a.aligned,
          dropped: sum.dropped + a.dropped,
          filled: sum.filled + a.filled,
          incomplete: sum.incomplete + a.incomplete,
        };
      },
      { aligned: 0, dropped: 0, filled: 0, incomplete: 0 }
    );
    const steps = [...new Set(alignments.map((m) => formatStep(m.outcome!.alignment!.stepMs)))].join(', ');
    notices.push(
      <div
        key="alignment"
        className={s.note}
        data-testid={testIds.panel.alignment}
        data-aligned={total.aligned}
        data-dropped={total.dropped}
        data-filled={total.filled}
        data-incomplete={total.incomplete}
      >
        Series aligned on a {steps} step: {total.aligned} points aligned, {total.dropped} dropped (another point was
        nearer the same step: drawn, not scored, so a short spike between steps is not marked), {total.filled} filled
        with the previous value (gaps of one step).
        {total.incomplete > 0 &&
          ` ${total.incomplete} steps are not scored in any series: a series of their model has no point there (a gap of more than one step).`}
      </div>
    );
  }
  if (options.online && scored.length > 0 && (analysisOptions.training.kind === 'visible' || fixedRangeProblem)) {
    // A review (2026-12-06): on a short range a spike right after the warm-up was not flagged, and nothing said why.
    notices.push(
      <div key="online-warmup" className={s.note} data-testid={testIds.panel.onlineWarmupNote}>
        Online without a training range: the first {VISIBLE_WARMUP_SHARE * 100} % of the visible points warm the
        detector up and are not scored, and a new extreme is flagged only once {MIN_RECORD_HISTORY} points have been
        scored. Choose a training range of previous days to score every visible point.
      </div>
    );
  }
  if (options.writeAnnotations && !dashboardUID && !publicDashboard) {
    // A review: on a new dashboard the option was on and nothing was written, without a word.
    notices.push(
      <div key="annotations" className={s.note} data-testid={testIds.panel.annotationsNote}>
        Anomaly annotations are written once the dashboard is saved (without a dashboard, Grafana would make them
        annotations of the whole organisation).
      </div>
    );
  }
  const scoredRows = scored.reduce((sum, m) => sum + m.outcome!.scoredRows, 0);
  const drawnCount = scored.reduce((sum, m) => sum + m.outcome!.series.length, 0);
  const flaggedRows = scored.reduce((sum, m) => sum + m.outcome!.flaggedRows, 0);
  const shareNotice = flagShareNotice(options.contamination, flaggedRows, scoredRows);
  if (shareNotice !== undefined) {
    notices.push(
      <Alert
        key={shareNotice.kind}
        severity="warning"
        title={shareNotice.title}
        data-testid={shareNotice.kind === 'auto' ? testIds.panel.autoWarning : testIds.panel.overFlaggingWarning}
        data-share={shareNotice.share.toFixed(4)}
      >
        {shareNotice.text}
      </Alert>
    );
  }
  const counts = anomalyCounts(scored, hiddenSeries);
  // Lines without a point in the visible range would draw an empty chart on a made-up axis (a browser review): the
  // notices alone say what there is to say, with the whole height.
  const drawable = (m: ModelAnalysis) => m.unscored?.some((d) => d.line.some((v) => !Number.isNaN(v))) ?? false;
  const nothingToDraw = noneScored && !failed.some(drawable);
  const chartHeight = Math.max(0, height - (notices.length > 0 ? noticesHeight : 0) - HEADER_HEIGHT);

  return container(
    state.status === 'loading' ? 'loading' : noneScored ? failureState(failed) : 'ready',
    <>
      {state.status === 'loading' && (
        <div data-testid={testIds.panel.loading} data-progress={state.progress.toFixed(2)} className={s.overlay}>
          <ProgressBar progress={state.progress} className={s.progress} />
        </div>
      )}
      {notices.length > 0 && (
        <div
          ref={noticesRef}
          className={s.notices}
          style={{ maxHeight: nothingToDraw ? height : Math.floor(height * NOTICES_MAX_SHARE) }}
        >
          {notices}
        </div>
      )}
      {!nothingToDraw && (
        <>
          <div className={s.header}>
            <div
              className={s.summary}
              data-testid={testIds.panel.summary}
              data-anomaly-count={counts.all}
              data-shown-anomaly-count={counts.shown}
            >
              {noneScored ? 'Not analysed' : anomalyCountText(counts)}
              {noneScored || shown.trainedModels > 0 ? '' : ' · cached models'}
            </div>
            {!publicDashboard && (
              <CreateAlertRuleButton
                panel={{ title: props.title, dashboardUid: dashboardUID, panelId: id }}
                options={options}
                data={data}
                timeRange={timeRange}
              />
            )}
          </div>
          <AnomalyChart
            // The frames of the result shown: new data does not rebuild the chart before its own result is ready.
            frames={shown.frames}
            analyses={shown.models}
            grid={shown.grid}
            scorer={scorer}
            width={width}
            height={chartHeight}
            timeZone={timeZone}
            showScorePane={options.showScorePane}
            showRegions={options.showRegions}
            hiddenSeries={hiddenSeries}
            hiddenFrom={hiddenFrom}
            onHiddenSeriesChange={setLocalHidden}
            onToggleSeriesVisibility={onToggleSeriesVisibility}
            // Dragging across a plot zooms the dashboard, as in Grafana's time series panel.
            onZoom={props.onChangeTimeRange}
          />
        </>
      )}
    </>,
    {
      'data-anomaly-count': counts.all,
      'data-drawn-series': drawnCount,
      'data-scored-points': scoredRows,
      'data-range-from': shown.grid.fromMs,
    }
  );
}

/**
 * The scorer's progress as a still bar. Not Grafana's LoadingBar: its endless animation keeps the compositor drawing
 * every frame for as long as scoring lasts, which without a GPU takes a core's share that the scorer needs
 * (measured in a Chromium trace of a 50 x 10 000 cycle: the compositor thread busier than the worker).
 */
function ProgressBar({ progress, className }: { progress: number; className: string }) {
  return <div className={className} style={{ width: `${Math.round(Math.min(1, Math.max(0, progress)) * 100)}%` }} />;
}

/**
 * The panel's options, every default filled in. One without a contamination of its own (a new panel, one saved
 * before the option was set, or one saved with a value that is no contamination: 0, null, "AUTO") takes the app's default contamination: read, never written into its options, so that a
 * dashboard merely viewed has nothing to save (a Grafana-contract review: the write showed as a change in the save
 * diff). Only an edit in the options pane sets it (ContaminationEditor, which shows the app's default meanwhile).
 */
function usePanelOptions(saved: Partial<AnomalyOptions> | undefined): {
  options: AnomalyOptions;
  /** Whether the contamination is known: the panel's own, or the app's default read (or known unreadable). */
  settled: boolean;
  /** Why the app's default could not be read: the built-in default is used, and the panel says so. */
  unreadableDefault?: string;
} {
  // A saved value that is no contamination (0, null, "AUTO") is as good as none: the app's default too.
  const unset = savedContamination(saved?.contamination) === undefined;
  const appDefault = useAppDefaultContamination(unset);
  const options = useMemo(() => {
    const options = withDefaults(saved);
    return unset && appDefault !== undefined ? { ...options, contamination: appDefault.contamination } : options;
  }, [saved, unset, appDefault]);
  return {
    options,
    settled: !unset || appDefault !== undefined,
    unreadableDefault: unset ? appDefault?.unreadable : undefined,
  };
}

function formatStep(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Every series' runs of marked points, as annotation candidates: the runs themselves, not the regions merged per
 * pixel column for drawing, so the annotations written do not depend on the panel's width.
 */
function annotationRegions(models: ModelAnalysis[]) {
  const regions: Array<{ series: string; start: number; end: number }> = [];
  for (const { outcome } of models) {
    for (const d of outcome?.series ?? []) {
      for (let i = 0; i + 1 < d.runs.length; i += 2) {
        regions.push({ series: d.name, start: d.runs[i], end: d.runs[i + 1] });
      }
    }
  }
  return regions;
}

function failureState(failed: ModelAnalysis[]): string {
  if (failed.every((m) => m.problem?.kind === 'constant')) {
    return 'constant';
  }
  if (failed.every((m) => m.problem?.kind !== 'error')) {
    return 'not-enough-data';
  }
  return 'error';
}

/** What the panel says when no model was analysed: its test id, tone and title, and each model's problem. */
function wholePanelProblemText(failed: ModelAnalysis[]) {
  const detail = failed.map((m) => `${m.model.label}: ${m.problem?.message}`).join('\n');
  if (failed.every((m) => m.problem?.message.startsWith(NO_VISIBLE_DATA))) {
    // Not "Not enough data" over nothing at all: the series have no point in this range.
    return {
      testId: testIds.panel.notEnoughData,
      tone: 'warning',
      title: 'No data in this time range',
      detail,
    } as const;
  }
  switch (failureState(failed)) {
    case 'constant':
      return { testId: testIds.panel.constantSeries, tone: 'info', title: 'Constant series', detail } as const;
    case 'not-enough-data':
      return { testId: testIds.panel.notEnoughData, tone: 'warning', title: 'Not enough data', detail } as const;
    default:
      return { testId: testIds.panel.error, tone: 'error', title: 'Anomaly detection failed', detail } as const;
  }
}

function wholePanelProblem(failed: ModelAnalysis[]) {
  return <PanelMessage {...wholePanelProblemText(failed)} />;
}

/** The same, above the series drawn without scores. */
function wholePanelNotice(failed: ModelAnalysis[]) {
  const { testId, tone, title, detail } = wholePanelProblemText(failed);
  return (
    <Alert key="whole-panel" severity={tone} title={title} data-testid={testId}>
      <div className={noticeDetail}>{detail}</div>
    </Alert>
  );
}

// One line per series when the detail lists several (as PanelMessage's).
const noticeDetail = css({ whiteSpace: 'pre-line' });

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ position: 'relative', display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
  loading: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: theme.spacing(1),
    color: theme.colors.text.secondary,
  }),
  overlay: css({ position: 'absolute', top: 0, left: 0, right: 0, zIndex: 1 }),
  progress: css({ height: 2, alignSelf: 'flex-start', background: theme.colors.primary.main }),
  // Scrolls past NOTICES_MAX_SHARE of the panel: notices never take the chart's place.
  notices: css({
    flexShrink: 0,
    overflowY: 'auto',
    '& > div': { marginBottom: theme.spacing(0.5), padding: theme.spacing(0.5, 1) },
  }),
  note: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  header: css({ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: HEADER_HEIGHT }),
  // One line in a narrow panel (a review: at 50 px wide the count wrapped over the plot), cut with an ellipsis.
  summary: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    height: HEADER_HEIGHT,
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
});

/**
 * "No data", or the field config's "No value" text (a standard option) where the queries returned no rows at all: as
 * Grafana's own panels say it (PanelDataErrorView's getMessageFor: no frame, or none with a row). Data that has rows
 * but no time or no number field keeps the panel's explanation, as Grafana's keeps its "Data is missing a … field".
 */
function noDataMessage(frames: DataFrame[], noValue: string | undefined) {
  const noRows = frames.every((frame) => frame.length === 0);
  return noRows && noValue !== undefined ? (
    <PanelMessage testId={testIds.panel.noData} title={noValue} />
  ) : (
    <PanelMessage testId={testIds.panel.noData} title="No data" detail={noSeriesDetail(frames)} />
  );
}

/**
 * Why frames gave no series, where it is not plain emptiness: numbers but no field of type time (a SQL or CSV source's
 * epoch column, numbers as text), which Grafana's time series panel refuses alike ("Data does not have a time field").
 */
function noSeriesDetail(frames: DataFrame[]): string {
  const fields = frames.flatMap((frame) => frame.fields);
  const hasTime = fields.some((field) => field.type === FieldType.time);
  if (!hasTime && fields.some((field) => field.type === FieldType.number || field.type === FieldType.string)) {
    return (
      'The data has no time field (a field of type time). Convert the column that holds the time with the ' +
      '"Convert field type" transformation, or return it as a time from the query.'
    );
  }
  if (hasTime && !fields.some((field) => field.type === FieldType.number)) {
    // A review: boolean fields (which Grafana's time series panel draws as 0/1) met only the advice about text.
    const booleans = fields.some((field) => field.type === FieldType.boolean);
    return booleans
      ? 'The data has no number field: boolean fields are not analysed. Convert them to numbers (0/1) with the ' +
          '"Convert field type" transformation to find anomalies in them.'
      : 'The data has no number field. Numbers returned as text can be converted with the "Convert field type" ' +
          'transformation.';
  }
  return 'The queries returned no numeric time series.';
}

/**
 * The scorer's warmingUp, re-rendering the panel when it changes (data-warm-up: see Scorer.warmingUp), in a task of
 * its own: the change is told from inside a job's posting (a warm-up is asked for right behind it), a task the panel
 * keeps short, and a render there would lengthen it.
 */
function useWarmingUp(scorer: Scorer): boolean {
  const [warmingUp, setWarmingUp] = useState(() => scorer.warmingUp ?? false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () => setWarmingUp(scorer.warmingUp ?? false);
    const unsubscribe = scorer.watchWarmUp?.(() => {
      clearTimeout(timer);
      timer = setTimeout(read, 0);
    });
    read();
    return () => {
      clearTimeout(timer);
      unsubscribe?.();
    };
  }, [scorer]);
  return warmingUp;
}
