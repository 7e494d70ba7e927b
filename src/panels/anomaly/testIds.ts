/**
 * Test ids of the anomaly panel, shared by the unit tests (jest) and the browser tests (Playwright against the
 * built dist/panels/anomaly/module.js). Grafana's convention: the value starts with "data-testid ".
 */
/**
 * Set on a plot's root (uPlot's, class "uplot") once everything of its latest draw is on the canvas (lines, regions,
 * threshold, marks): the start of the x range drawn (epoch ms). New data removes it as it is handed to the plot, so
 * it never stands for a drawing of earlier data, of the same range or another.
 */
export const DRAWN_FROM_ATTRIBUTE = 'data-drawn-from';
/** Set with DRAWN_FROM_ATTRIBUTE: the y range drawn, "min,max" (a field's Min and Max fix it). */
export const DRAWN_Y_ATTRIBUTE = 'data-drawn-y';
/** Set with DRAWN_FROM_ATTRIBUTE: every y axis' range drawn, the left one first, "min,max;min,max...". */
export const DRAWN_Y_AXES_ATTRIBUTE = 'data-drawn-y-axes';

export const testIds = {
  panel: {
    /**
     * Root of the panel, always rendered; carries data-state = loading | ready | no-data | not-enough-data | constant |
     * error, and when ready data-anomaly-count, data-drawn-series, data-scored-points and data-range-from (the
     * start of the range the shown result is for, epoch ms).
     */
    container: 'data-testid anomaly-panel',
    /**
     * The main chart (series, anomaly points, regions). Its plot (uPlot's root inside it) carries data-shown-series:
     * the labels of the series the plot draws, as a JSON array. Every plot of the panel (chart, score pane) carries
     * DRAWN_FROM_ATTRIBUTE once its lines, regions and marks are drawn.
     */
    chart: 'data-testid anomaly-panel chart',
    /** The series legend under the chart: a click shows only that series, a ctrl/shift-click toggles it. */
    legend: 'data-testid anomaly-panel legend',
    /** The score pane with the threshold line. */
    scorePane: 'data-testid anomaly-panel score-pane',
    /**
     * The shaded regions of one series (runs of consecutive anomalies, merged per pixel): data-series, and
     * data-regions = "start0,end0,start1,end1,..." (epoch ms).
     */
    region: 'data-testid anomaly-panel region',
    /** Multivariate models: how many points were aligned, dropped and filled (data-aligned, data-dropped, data-filled). */
    alignment: 'data-testid anomaly-panel alignment',
    /** Online mode warming up on the visible range: what is not scored, and what to do instead. */
    onlineWarmupNote: 'data-testid anomaly-panel online warm-up note',
    /** Annotations are asked for on a dashboard not saved yet: none are written until it is. */
    annotationsNote: 'data-testid anomaly-panel annotations note',
    /** Grouped by a label some series lack: those make one model together (planModels). */
    groupByNote: 'data-testid anomaly-panel group-by note',
    /** contamination auto flagged more than 5 % of the points; data-share holds the share. */
    autoWarning: 'data-testid anomaly-panel auto-warning',
    overFlaggingWarning: 'data-testid anomaly-panel over-flagging-warning',
    /** Summary line: number of anomalies; data-anomaly-count holds the number. */
    summary: 'data-testid anomaly-panel summary',
    /** Loading with progress; data-progress = 0..1. */
    loading: 'data-testid anomaly-panel loading',
    noData: 'data-testid anomaly-panel no-data',
    /** Says how many points are needed and why. */
    notEnoughData: 'data-testid anomaly-panel not-enough-data',
    constantSeries: 'data-testid anomaly-panel constant-series',
    error: 'data-testid anomaly-panel error',
    /** Scoring runs on the main thread because no worker could start (e.g. CSP without worker-src blob:). */
    workerFallbackNotice: 'data-testid anomaly-panel worker-fallback-notice',
    /** Models that could not be built while others could (listed per series). */
    modelNotice: 'data-testid anomaly-panel model-notice',
    trainingRangeNotice: 'data-testid anomaly-panel training-range-notice',
    /** The training range holds more points than a model trains on: it trains on the newest (analysePanel). */
    trainingCapNotice: 'data-testid anomaly-panel training-cap-notice',
    /** The app's default contamination could not be read (e.g. a 401): the panel uses the built-in default. */
    appDefaultNote: 'data-testid anomaly-panel app-default-note',
    /** Tooltip content: value, anomaly score, top contributing features. */
    tooltip: 'data-testid anomaly-panel tooltip',
    tooltipTime: 'data-testid anomaly-panel tooltip time',
    tooltipAnomalyTime: 'data-testid anomaly-panel tooltip anomaly time',
    outsideRangeNotice: 'data-testid anomaly-panel outside-range-notice',
    tooltipContribution: 'data-testid anomaly-panel tooltip contribution',
  },
  options: {
    contamination: 'data-testid anomaly-options contamination',
    contaminationAuto: 'data-testid anomaly-options contamination auto',
    /** Why a typed contamination was refused (the option kept its value). */
    contaminationProblem: 'data-testid anomaly-options contamination problem',
    /** What auto means (sklearn's fixed score threshold of 0.5), shown while auto is on. */
    contaminationAutoHelp: 'data-testid anomaly-options contamination auto help',
    trainingKind: 'data-testid anomaly-options training kind',
    trainingPreviousDays: 'data-testid anomaly-options training previous-days',
    trainingFrom: 'data-testid anomaly-options training from',
    trainingTo: 'data-testid anomaly-options training to',
    maxSamples: 'data-testid anomaly-options max-samples',
  },
  /** "Create alert rule": the button in the panel and its form (src/panels/anomaly/alerting). */
  alertRule: {
    button: 'data-testid anomaly-alert-rule button',
    /** Content of the modal; data-state = loading | ready | load-error | created. */
    modal: 'data-testid anomaly-alert-rule modal',
    /** Which panel query to alert on (only when the panel has several). */
    query: 'data-testid anomaly-alert-rule query',
    title: 'data-testid anomaly-alert-rule title',
    folder: 'data-testid anomaly-alert-rule folder',
    evaluationInterval: 'data-testid anomaly-alert-rule evaluation-interval',
    pendingPeriod: 'data-testid anomaly-alert-rule pending-period',
    keepFiringFor: 'data-testid anomaly-alert-rule keep-firing-for',
    contactPoint: 'data-testid anomaly-alert-rule contact-point',
    /** InfluxQL queries: the proxy's name of the InfluxDB upstream. */
    upstream: 'data-testid anomaly-alert-rule upstream',
    /** The anomaly expression the rule will evaluate. */
    expression: 'data-testid anomaly-alert-rule expression',
    /** Why no rule can be made from the panel as it is (e.g. max samples not auto). */
    expressionProblem: 'data-testid anomaly-alert-rule expression-problem',
    /** Options past the proxy's default cost limits (trees, window, lags). */
    costLimitWarning: 'data-testid anomaly-alert-rule cost-limit-warning',
    /** A batch panel's rule scores in batch: the hint that alerts judge best online. */
    batchHint: 'data-testid anomaly-alert-rule batch-hint',
    submit: 'data-testid anomaly-alert-rule submit',
    /** Link to the created rule (/alerting/grafana/<uid>/view). */
    resultLink: 'data-testid anomaly-alert-rule result-link',
    /** The rule was created, but its new group's interval could not be set (Grafana's default kept), and why. */
    intervalNotSet: 'data-testid anomaly-alert-rule interval-not-set',
    error: 'data-testid anomaly-alert-rule error',
  },
};
