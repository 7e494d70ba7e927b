import { Command } from 'commander';
import { DEFAULT_CONTAMINATION, detectionModeChoices, parseDetectionMode } from '@telemetry-analyzer/engine';
import { InputError, terminalText } from '../errors';
import {
  checkRefitHistory,
  checkWarmup,
  parseColumnList,
  parseContamination,
  parseInteger,
  parseModelFlags,
  parseOnlineFlags,
  type DetectionFlags,
  type ModelFlags,
} from '../pipeline/detectionOptions';
import { DEFAULT_MAX_GROUPS } from '../input/inputSchema';
import { runStream } from '../pipeline/runStream';
import { addModelOptions, addOnlineOptions } from './detectionFlags';
import { MODEL_FLAGS, ONLINE_ONLY_FLAGS, refuseGiven } from './givenFlags';
import { flushStandardOutput, writeStandardOutput } from '../output/standardOutput';

export function streamCommand(): Command {
  const command = new Command('stream')
    .description('score rows from stdin as they arrive; prints one JSON line per anomaly on stdout at once')
    .option('-m, --model <file>', 'model from train or detect (model.json); or --online')
    .option('--columns <a,b,...>', 'online: metric columns (default: every column but the timestamp and --group-by)')
    .option('--group-by <column>', 'online: one detector per value of this column (e.g. host)')
    .option(
      '--max-groups <n>',
      'online: most groups scored at once; beyond it the least recently seen is dropped (~0.2 MB a group)',
      String(DEFAULT_MAX_GROUPS)
    )
    .option('--format <format>', 'ndjson or csv (first line the header)', 'ndjson')
    .option('--timestamp-column <name>', 'column with ISO-8601 or epoch timestamps', 'timestamp')
    .option(
      '--contamination <share>',
      `re-threshold the model for this share of anomalies in (0, 0.5]; online: the share flagged [${DEFAULT_CONTAMINATION}]`
    )
    .option('--strict', 'stop at the first bad row (exit 2) instead of skipping it with a warning on stderr')
    .option('-q, --quiet', 'no summary on stderr at the end');
  // Online, the model's options are detect --online's, so that both flag the same rows for the same flags.
  addModelOptions(command).option(
    '--mode <mode>',
    'online: multivariate (one model) or per-series (one model per metric column)',
    'multivariate'
  );
  return addOnlineOptions(command).action(
    async (
      flags: Pick<
        DetectionFlags,
        'online' | 'warmup' | 'refitEvery' | 'refitHistory' | 'horizon' | 'mergeRows' | 'deviationWindow' | 'mode'
      > &
        ModelFlags & {
          model?: string;
          columns?: string;
          groupBy?: string;
          maxGroups: string;
          format: string;
          timestampColumn: string;
          contamination?: string;
          strict?: boolean;
          quiet?: boolean;
        },
      self: Command
    ) => {
      if ((flags.model === undefined) === (flags.online !== true)) {
        throw new InputError({ source: '--model' }, 'give either --model FILE or --online');
      }
      if (!flags.online) {
        refuseGiven(
          self,
          [
            ['columns', '--columns'],
            ['groupBy', '--group-by'],
            ['maxGroups', '--max-groups'],
            ...MODEL_FLAGS,
            ...ONLINE_ONLY_FLAGS,
          ],
          'only online mode uses it (a --model scores its own columns and groups): add --online instead of --model, or leave it out'
        );
      }
      const contamination = parseContamination(flags.contamination ?? String(DEFAULT_CONTAMINATION));
      const mode = parseDetectionMode(flags.mode);
      if (mode === undefined) {
        throw new InputError({ source: '--mode' }, `must be ${detectionModeChoices()}, got "${flags.mode}"`);
      }
      const model = parseModelFlags(flags, mode);
      const online = flags.online
        ? {
            detector: { ...model, forest: { ...model.forest, contamination } },
            options: parseOnlineFlags(flags),
            columns: flags.columns === undefined ? undefined : parseColumnList(flags.columns),
            groupBy: flags.groupBy,
            maxGroups: parseInteger('--max-groups', flags.maxGroups, 1),
          }
        : undefined;
      if (online) {
        checkWarmup(online.options, online.detector);
        checkRefitHistory(online.options, online.detector);
      }
      const outcome = await runStream({
        modelPath: flags.model,
        online,
        format: flags.format,
        timestampColumn: flags.timestampColumn,
        contamination: flags.contamination,
        input: process.stdin,
        writeLine: writeStandardOutput,
        strict: flags.strict === true,
        warn: (line) => process.stderr.write(`telemetry-analyzer: ${terminalText(line)}\n`),
      });
      // Anomalies that could not be written are lost: that fails the command, whatever it read.
      await flushStandardOutput();
      if (!flags.quiet) {
        process.stderr.write(
          `${outcome.rows} rows, ${outcome.scored} scored, ${outcome.missing} with missing values, ` +
            `${outcome.skipped} bad rows skipped, ${outcome.anomalies} anomalies` +
            (outcome.timestampsNotIncreasing > 0
              ? `, ${outcome.timestampsNotIncreasing} timestamps not increasing (kept in file order)`
              : '') +
            '\n'
        );
      }
      if (outcome.rows === 0 && outcome.skipped > 0 && flags.format === 'ndjson') {
        // An SRE review: CSV piped in without --format gave a warning per line and no word of the cause.
        process.stderr.write(
          'telemetry-analyzer: no line could be read as NDJSON (the default --format): for CSV give --format csv\n'
        );
      }
      if (outcome.failure !== undefined) {
        throw outcome.failure;
      }
      if (outcome.skipped > 0) {
        // A stream goes on past a bad row (each named as it comes); its end still says the input was not all good.
        process.exitCode = 2;
      }
    }
  );
}
