import { Option, type Command } from 'commander';
import { DEFAULT_CONTAMINATION, DEFAULT_DETECTOR_SETTINGS } from '@telemetry-analyzer/engine';
import { DEFAULT_CHUNK_ROWS, DEFAULT_MAX_TRAIN_ROWS, ONLINE_FLAG_DEFAULTS } from '../pipeline/detectionOptions';
import { defaultScoringThreads } from '../pipeline/scoringThread';
import { DEFAULT_MAX_GROUPS } from '../input/inputSchema';

/**
 * The model's options: the forest and the features it is trained on. detect and train (addDetectionOptions), and
 * stream --online, whose models must be detect --online's (parseModelFlags reads them).
 */
export function addModelOptions(command: Command): Command {
  return command
    .option('--trees <n>', 'number of isolation trees', String(DEFAULT_DETECTOR_SETTINGS.trees))
    .option('--max-samples <n>', 'rows per tree: "auto" (min(256, rows)), a count, or a fraction in (0, 1]', 'auto')
    .option('--seed <n>', 'random seed (same seed + data = same scores)', String(DEFAULT_DETECTOR_SETTINGS.seed))
    .option('--window <n>', 'rolling window in points', String(DEFAULT_DETECTOR_SETTINGS.window))
    .option('--lags <n>', 'lags 1..n of every metric', String(DEFAULT_DETECTOR_SETTINGS.lags))
    .option(
      '--no-seasonality',
      'no hour-of-day/day-of-week features (default: on when the training data span >= 2 days)'
    )
    .option('--raw', 'use the metric values as they are: no engineered features, no scaling');
}

/**
 * The options detect and train share; values are checked later by parseDetectionFlags. train scores nothing: it has
 * no --threads or --chunk-rows (given, they are unknown options), and its --mode names no online mode.
 */
export function addDetectionOptions(command: Command, defaultTrainFraction: string, scores = true): Command {
  addModelOptions(command)
    .option(
      '--format <format>',
      'csv, json (an array of row objects) or ndjson; default: from the file extension (required for stdin)'
    )
    .option('--timestamp-column <name>', 'column with ISO-8601 or epoch timestamps', 'timestamp')
    .option('--columns <a,b,...>', 'metric columns to use (default: every numeric column)')
    .option('--group-by <column>', 'train and score one model per value of this column (e.g. host)')
    .option(
      '--max-groups <n>',
      'with --group-by: most groups (values of the column) the input may hold',
      String(DEFAULT_MAX_GROUPS)
    )
    .option(
      '--contamination <share>',
      'expected share of anomalies in (0, 0.5], or "auto" (sklearn\'s fixed 0.5 threshold: often flags a quarter of real data)',
      String(DEFAULT_CONTAMINATION)
    )
    .option('--train-fraction <f>', "train on the first f of each group's rows in time order", defaultTrainFraction)
    .option('--train-file <file>', 'train on this file instead (same columns)')
    .option(
      '--max-train-rows <n>',
      'at most this many training rows per group (bounds memory)',
      String(DEFAULT_MAX_TRAIN_ROWS)
    )
    .option(
      '--mode <mode>',
      'multivariate (one model), per-series (one model per metric column; per-column names it too)' +
        (scores ? ', or online (= --online, multivariate)' : ''),
      'multivariate'
    )
    .option(
      '--strict',
      'refuse what is otherwise kept with a warning: timestamps that do not strictly increase (kept in file order), ' +
        'groups with too few rows to train a model on (their rows left unscored)'
    )
    .option('-q, --quiet', 'no progress, warnings or summary on stderr (the warnings stay in summary.json)');
  if (scores) {
    command
      .option(
        '--chunk-rows <n>',
        'rows scored per chunk (bounds memory; results do not depend on it)',
        String(DEFAULT_CHUNK_ROWS)
      )
      .addOption(
        new Option(
          '--threads <n>',
          '1 = all on one thread, 2 = score on a second thread while reading and writing (online, the reading ' +
            "thread walks a share of the forest too), 3 = online, the scoring thread's walk split with a third (same " +
            'results)'
        ).default(String(defaultScoringThreads()), `a thread per core, up to 3: ${defaultScoringThreads()} here`)
      );
  }
  return command;
}

/** Online mode: detect and stream. See docs/detection.md. */
export function addOnlineOptions(command: Command): Command {
  return command
    .option('--online', 'score every row from the rows before it alone, with calibrated scores (for alerting)')
    .option('--warmup <rows>', 'online: complete rows the first model trains on', ONLINE_FLAG_DEFAULTS.warmup)
    .option('--refit-every <rows>', 'online: refit every n scored rows (0 = never)', ONLINE_FLAG_DEFAULTS.refitEvery)
    .option('--refit-history <rows>', 'online: most recent rows a refit trains on', ONLINE_FLAG_DEFAULTS.refitHistory)
    .option(
      '--horizon <rows>',
      'online: recent scores each score is ranked against (at least 100)',
      ONLINE_FLAG_DEFAULTS.horizon
    )
    .option(
      '--merge-rows <rows>',
      'online: a record within n rows of the last one is merged into it (0 = keep all)',
      ONLINE_FLAG_DEFAULTS.mergeRows
    )
    .option(
      '--deviation-window <rows>',
      'online: rows the trailing deviation compares each value with',
      ONLINE_FLAG_DEFAULTS.deviationWindow
    );
}
