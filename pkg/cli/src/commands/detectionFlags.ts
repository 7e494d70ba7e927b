import type { Command } from 'commander';
import { DEFAULT_CHUNK_ROWS, DEFAULT_MAX_TRAIN_ROWS } from '../pipeline/detectionOptions';

/** The options detect and train share; values are checked later by parseDetectionFlags. */
export function addDetectionOptions(command: Command, defaultTrainFraction: string): Command {
  return command
    .option(
      '--format <format>',
      'csv, json (an array of row objects) or ndjson; default: from the file extension (required for stdin)'
    )
    .option('--timestamp-column <name>', 'column with ISO-8601 or epoch timestamps', 'timestamp')
    .option('--columns <a,b,...>', 'metric columns to use (default: every numeric column)')
    .option('--group-by <column>', 'train and score one model per value of this column (e.g. host)')
    .option('--contamination <share>', 'expected share of anomalies in (0, 0.5], or "auto" (threshold 0.5)', '0.01')
    .option('--trees <n>', 'number of isolation trees', '100')
    .option('--max-samples <n>', 'rows per tree: "auto" (min(256, rows)), a count, or a fraction in (0, 1]', 'auto')
    .option('--seed <n>', 'random seed (same seed + data = same scores)', '42')
    .option('--train-fraction <f>', "train on the first f of each group's rows in time order", defaultTrainFraction)
    .option('--train-file <file>', 'train on this file instead (same columns)')
    .option(
      '--max-train-rows <n>',
      'at most this many training rows per group (bounds memory)',
      String(DEFAULT_MAX_TRAIN_ROWS)
    )
    .option(
      '--chunk-rows <n>',
      'rows scored per chunk (bounds memory; results do not depend on it)',
      String(DEFAULT_CHUNK_ROWS)
    )
    .option('--window <n>', 'rolling window in points', '12')
    .option('--lags <n>', 'lags 1..n of every metric', '1')
    .option(
      '--no-seasonality',
      'no hour-of-day/day-of-week features (default: on when the training data span >= 2 days)'
    )
    .option('--raw', 'use the metric values as they are: no engineered features, no scaling')
    .option('--mode <mode>', 'multivariate (one model) or per-column (one model per metric)', 'multivariate')
    .option('-q, --quiet', 'no progress or summary on stderr');
}
