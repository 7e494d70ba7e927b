import type { PanelOptionsEditorBuilder } from '@grafana/data';
import type { AnomalyOptions } from '../types';
import { ContaminationEditor } from './ContaminationEditor';
import { DEFAULT_OPTIONS as D, SEED_MAX } from './defaults';
import { MaxSamplesEditor } from './MaxSamplesEditor';
import { TrainingRangeEditor } from './TrainingRangeEditor';

const DETECTION = 'Detection';
const FEATURES = 'Features';
const MODELS = 'Models and training';
const DISPLAY = 'Display';

/** The panel editor: every option with a description and its default, contamination first. */
export function addPanelOptions(builder: PanelOptionsEditorBuilder<AnomalyOptions>) {
  return builder
    .addCustomEditor({
      id: 'contamination',
      path: 'contamination',
      name: 'Contamination',
      description:
        'Expected share of anomalies (above 0, at most 0.5); auto uses scikit-learn’s fixed score threshold of 0.5. ' +
        'Until set here, the panel uses the app’s default contamination. Changing it does not retrain.',
      category: [DETECTION],
      // No default here: a panel without one uses the app's default contamination (AnomalyPanel reads it, never
      // writes it into the options: only an edit here does).
      editor: ContaminationEditor,
    })
    .addRadio({
      path: 'direction',
      name: 'Direction',
      description: 'Mark anomalies above the rolling mean (spikes), below it (dips), or both',
      category: [DETECTION],
      defaultValue: D.direction,
      settings: {
        options: [
          { value: 'both', label: 'Both' },
          { value: 'above', label: 'Above' },
          { value: 'below', label: 'Below' },
        ],
      },
    })
    .addNumberInput({
      path: 'minConsecutive',
      name: 'Minimum consecutive anomalies',
      description: 'Shorter runs of anomalous points are not marked (1 = every anomaly)',
      category: [DETECTION],
      defaultValue: D.minConsecutive,
      settings: { min: 1, integer: true },
    })
    .addRadio({
      path: 'mode',
      name: 'Mode',
      description: 'Per series: one model per series. Multivariate: all series together in one model (per group).',
      category: [MODELS],
      defaultValue: D.mode,
      settings: {
        options: [
          { value: 'per-series', label: 'Per series' },
          { value: 'multivariate', label: 'Multivariate' },
        ],
      },
    })
    .addTextInput({
      path: 'groupByLabel',
      name: 'Group by label',
      description: 'Multivariate mode: one model per value of this label (e.g. host); empty = one model for all series',
      category: [MODELS],
      defaultValue: D.groupByLabel,
      showIf: (o) => o.mode === 'multivariate',
    })
    .addCustomEditor({
      id: 'training',
      path: 'training',
      name: 'Training range',
      description: 'Data the models learn "normal" from; a baseline is queried through the panel\'s data sources',
      category: [MODELS],
      defaultValue: D.training,
      editor: TrainingRangeEditor,
    })
    .addNumberInput({
      path: 'trees',
      name: 'Trees',
      description: 'Number of isolation trees; more trees give steadier scores and take longer',
      category: [MODELS],
      defaultValue: D.trees,
      settings: { min: 1, max: 1000, integer: true },
    })
    .addCustomEditor({
      id: 'maxSamples',
      path: 'maxSamples',
      name: 'Max samples',
      description: 'Points drawn per tree; auto = min(256, points)',
      category: [MODELS],
      defaultValue: D.maxSamples,
      editor: MaxSamplesEditor,
    })
    .addNumberInput({
      path: 'seed',
      name: 'Seed',
      description:
        'Seed of the random trees (a whole number, 0–4294967295): the same data and seed always give the same anomalies',
      category: [MODELS],
      defaultValue: D.seed,
      // Grafana's number editor clamps what is typed into min–max; withDefaults clamps saved values alike.
      settings: { min: 0, max: SEED_MAX, integer: true },
    })
    .addNumberInput({
      path: 'window',
      name: 'Window',
      description: 'Rolling window in points for the rolling mean/std/min/max features and the direction filter',
      category: [FEATURES],
      defaultValue: D.window,
      settings: { min: 2, integer: true },
    })
    .addNumberInput({
      path: 'lags',
      name: 'Lags',
      description: 'Previous values 1..lags of every series used as features (0 = none)',
      category: [FEATURES],
      defaultValue: D.lags,
      settings: { min: 0, integer: true },
    })
    .addBooleanSwitch({
      path: 'online',
      name: 'Online (as an alert sees it)',
      description:
        'Score every point from the points before it, with calibrated scores that one threshold serves across ' +
        'series and that follow drift; the training range warms the detector up. Alert rules created from the ' +
        'panel then use online=true. Train on previous days for scores an alert reproduces: warmed up on the ' +
        'visible range, earlier scores change when the range moves.',
      category: [DETECTION],
      defaultValue: D.online,
    })
    .addRadio({
      path: 'seasonality',
      name: 'Seasonality',
      description: 'Hour-of-day and weekday features; auto = when the training data span at least 2 days',
      category: [FEATURES],
      defaultValue: D.seasonality,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'on', label: 'On' },
          { value: 'off', label: 'Off' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'showScorePane',
      name: 'Score pane',
      description: 'Show the anomaly score below the series, with the threshold line',
      category: [DISPLAY],
      defaultValue: D.showScorePane,
    })
    .addBooleanSwitch({
      path: 'showRegions',
      name: 'Regions',
      description: 'Shade runs of consecutive anomalies',
      category: [DISPLAY],
      defaultValue: D.showRegions,
    })
    .addBooleanSwitch({
      path: 'writeAnnotations',
      name: 'Write anomalies as annotations',
      description: 'Each new anomaly region becomes one Grafana annotation on this dashboard (tags: anomaly, series)',
      category: [DISPLAY],
      defaultValue: D.writeAnnotations,
    });
}
