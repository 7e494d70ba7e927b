import { Command } from 'commander';
import { ExternalFailure, InputError } from '../errors';
import { configProblems, listenProblem } from './configErrors';
import { cleanUpOnInterrupt } from '../interruptCleanup';
import { cannotWrite, regularFileTarget } from '../output/atomicOutput';

interface RunFlags {
  config: string;
  shard?: string;
  from?: string;
  to?: string;
  job?: string[];
  output?: string;
}

/**
 * `run`: the writer (pkg/writer), started from its config file: scheduled scoring remote-written into a
 * Prometheus-compatible TSDB, or with --from/--to a backfill of a past range. Delegates like `serve`.
 */
export function runCommand(): Command {
  return new Command('run')
    .description('score jobs on a schedule and remote-write anomaly_score/flag/threshold into a TSDB (or backfill)')
    .requiredOption('-c, --config <file>', 'writer configuration file')
    .option('--shard <i/N>', "score only this shard of every job's series (stable hash of their labels)")
    .option('--from <time>', 'backfill from this time (RFC 3339 or unix seconds), then exit')
    .option('--to <time>', 'backfill up to this time [now]')
    .option('--job <name...>', 'backfill only these jobs')
    .option('--output <file>', 'backfill into this OpenMetrics file (for promtool tsdb create-blocks-from openmetrics)')
    .action(async (flags: RunFlags) => {
      // Loaded on demand (typed, through the package's own exports): the other commands must not need the writer.
      const { ConfigError, ReadBackError, UnknownJobError, failureText, parseShard, runWriterFromConfigFile } =
        await import('@telemetry-analyzer/writer');
      const { ModelStoreDirectoryError, PromApiError, UpstreamPassThroughError, parseTimestamp } =
        await import('@telemetry-analyzer/query');
      let shard;
      if (flags.shard !== undefined) {
        shard = parseShard(flags.shard);
        if (!shard) {
          throw new InputError({ source: '--shard' }, `expected i/N with 0 <= i < N, got "${flags.shard}"`);
        }
      }
      const time = (text: string, option: string) => {
        const ms = parseTimestamp(text);
        if (ms === undefined) {
          throw new InputError({ source: option }, `expected an RFC 3339 time or unix seconds, got "${text}"`);
        }
        return ms;
      };
      for (const [value, option] of [
        [flags.to, '--to'],
        [flags.output, '--output'],
        [flags.job, '--job'],
      ] as const) {
        if (value !== undefined && flags.from === undefined) {
          throw new InputError({ source: option }, 'needs --from (a backfill range)');
        }
      }
      const backfill =
        flags.from === undefined
          ? undefined
          : {
              fromMs: time(flags.from, '--from'),
              toMs: flags.to === undefined ? Date.now() : time(flags.to, '--to'),
              toUntilNow: flags.to === undefined,
              jobs: flags.job,
              // Written through a link, never renamed over a device or a pipe (as detect's and train's files).
              outputFile: flags.output === undefined ? undefined : regularFileTarget(flags.output),
            };
      if (backfill && !(backfill.fromMs < backfill.toMs)) {
        // A reversed or empty range wrote nothing and exited 0, an OpenMetrics file of only "# EOF".
        throw new InputError(
          { source: '--from' },
          `${new Date(backfill.fromMs).toISOString()} is not before --to (${new Date(backfill.toMs).toISOString()}): nothing to backfill`
        );
      }
      try {
        await runWriterFromConfigFile(flags.config, { shard, backfill, cleanUpOnInterrupt });
      } catch (error) {
        if (error instanceof ConfigError) {
          throw configProblems(flags.config, 'writer', error.located);
        }
        if (error instanceof ModelStoreDirectoryError) {
          throw new InputError({ source: flags.config }, error.message);
        }
        if (error instanceof UnknownJobError) {
          throw new InputError({ source: '--job' }, error.message);
        }
        const listening = listenProblem(flags.config, error);
        if (listening) {
          throw listening;
        }
        // The query layer's errors in Prometheus' terms: a 4xx is a job the config asks for wrongly (a limit, a
        // query the upstream refuses); anything else is an upstream that failed.
        if (error instanceof PromApiError) {
          // "internal" is the proxy's class for an upstream's nonsense (a 502): not the CLI's own error.
          const text = error.errorType === 'internal' ? error.message : `${error.errorType}: ${error.message}`;
          throw error.httpStatus < 500 ? new InputError({ source: flags.config }, text) : new ExternalFailure(text);
        }
        // An upstream's own error answer (a 401 to the writer's credentials), which the proxy passes on as it came.
        if (error instanceof UpstreamPassThroughError) {
          throw new ExternalFailure(failureText(error));
        }
        if (error instanceof ReadBackError) {
          throw new ExternalFailure(error.message);
        }
        throw (flags.output !== undefined && outputWriteFailure(error, flags.output)) || error;
      }
    });
}

/** Errors of writing a file that name no path (a write() on a full disk): the --output file's, in a backfill to one. */
const PATHLESS_WRITE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS']);

/**
 * The --output file's write failure as what the user can act on, as detect says it for its files (the sink removed
 * what it had written); undefined for any other error. A full disk had come out as "internal error: ENOSPC: no
 * space left on device, write", exit 1 (a review): writeSync's error has no path.
 */
export function outputWriteFailure(error: unknown, output: string): InputError | undefined {
  const failure = error as NodeJS.ErrnoException;
  const ours =
    failure?.path !== undefined ? failure.path.startsWith(output) : PATHLESS_WRITE_CODES.has(failure?.code ?? '');
  return typeof failure?.code === 'string' && ours ? cannotWrite(output, failure) : undefined;
}
