import { Command } from 'commander';
import { runStream } from '../pipeline/runStream';

export function streamCommand(): Command {
  return new Command('stream')
    .description('score rows from stdin as they arrive; prints one JSON line per anomaly on stdout at once')
    .requiredOption('-m, --model <file>', 'model from train or detect (model.json)')
    .option('--format <format>', 'ndjson or csv (first line the header)', 'ndjson')
    .option('--timestamp-column <name>', 'column with ISO-8601 or epoch timestamps', 'timestamp')
    .option('--contamination <share>', 're-threshold the model for this share of anomalies in (0, 0.5]')
    .option('--strict', 'stop at the first bad row (exit 2) instead of skipping it with a warning on stderr')
    .option('-q, --quiet', 'no summary on stderr at the end')
    .action(
      async (flags: {
        model: string;
        format: string;
        timestampColumn: string;
        contamination?: string;
        strict?: boolean;
        quiet?: boolean;
      }) => {
        const outcome = await runStream({
          modelPath: flags.model,
          format: flags.format,
          timestampColumn: flags.timestampColumn,
          contamination: flags.contamination,
          input: process.stdin,
          writeLine: (line) => process.stdout.write(line),
          strict: flags.strict === true,
          warn: (line) => process.stderr.write(`telemetry-analyzer: ${line}\n`),
        });
        if (!flags.quiet) {
          process.stderr.write(
            `${outcome.rows} rows, ${outcome.scored} scored, ${outcome.missing} with missing values, ` +
              `${outcome.skipped} bad rows skipped, ${outcome.anomalies} anomalies\n`
          );
        }
      }
    );
}
