import { Command } from 'commander';
import { InputError } from '../errors';
import { outputPath, parseInteger } from '../pipeline/detectionOptions';
import { parseTimestamp } from '../input/timestamp';
import { writeSample } from '../sample/writeSample';

/** The last timestamp written with a four-digit year (what detect reads back). */
const LAST_WRITABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Fixed default start (a Monday, 00:00 UTC) so that the committed sample is reproducible. */
export const SAMPLE_START = '2024-05-06T00:00:00Z';

export function sampleCommand(): Command {
  return new Command('sample')
    .description('write seeded synthetic telemetry with labelled anomalies (FILE and FILE_labels.csv)')
    .requiredOption('-o, --output <file>', 'CSV file to write, e.g. data/sample_telemetry.csv')
    .option('--days <n>', 'days of data', '4')
    .option('--start <time>', 'first timestamp (ISO-8601 or epoch)', SAMPLE_START)
    .option('--step-seconds <n>', 'seconds between rows', '60')
    .option('--hosts <a,b>', 'host names (more than one adds a host column)', 'host-a')
    .option('--seed <n>', 'random seed', '7')
    .option('-q, --quiet', 'no summary on stderr')
    .action(
      async (flags: {
        output: string;
        days: string;
        start: string;
        stepSeconds: string;
        hosts: string;
        seed: string;
        quiet?: boolean;
      }) => {
        const days = parseInteger('--days', flags.days, 1, 3650);
        const stepMs = parseInteger('--step-seconds', flags.stepSeconds, 1) * 1000;
        const start = parseTimestamp(flags.start);
        if (!Number.isFinite(start)) {
          throw new InputError({ source: '--start' }, `cannot parse "${flags.start}" as a timestamp`);
        }
        const hosts = flags.hosts
          .split(',')
          .map((host) => host.trim())
          .filter((host) => host !== '');
        if (hosts.length === 0) {
          throw new InputError({ source: '--hosts' }, 'give at least one host name');
        }
        const twice = hosts.find((host, i) => hosts.indexOf(host) !== i);
        if (twice !== undefined) {
          throw new InputError({ source: '--hosts' }, `host "${twice}" is named twice`);
        }
        const end = start + days * 86_400_000 - stepMs;
        if (end > LAST_WRITABLE_MS) {
          // detect reads ISO timestamps of four-digit years only: a sample it cannot read is no sample.
          throw new InputError(
            { source: '--start' },
            `the data would end after 9999-12-31T23:59:59.999Z; timestamps are written with four-digit years`
          );
        }
        if (/\.(?:json|ndjson|jsonl)$/i.test(flags.output)) {
          // detect reads a file by its extension: CSV in x.json would be read as JSON, and refused (a review).
          throw new InputError({ source: '--output' }, `sample writes CSV: name the file .csv, not ${flags.output}`);
        }
        const result = await writeSample(outputPath('--output', flags.output), {
          start,
          end,
          stepMs,
          hosts,
          seed: parseInteger('--seed', flags.seed, 0, 4294967295),
        });
        if (!flags.quiet) {
          process.stderr.write(
            `wrote ${result.rows} rows to ${flags.output}, ${result.anomalies} labelled anomalies to ${result.labels}\n`
          );
        }
      }
    );
}
