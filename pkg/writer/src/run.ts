/**
 * What `telemetry-analyzer run --config writer.yaml` runs: live (resume, then every job on its schedule until
 * SIGTERM/SIGINT, which drains the queue for shutdownGrace) or, with `from`/`to`, a backfill that writes the range
 * and exits once the queue is sent.
 */
import { loadWriterConfig } from './config';
import { ShardSpec } from './shard';
import { UpstreamPassThroughError, checkStoreDirectory } from '@telemetry-analyzer/query';
import { AnomalyWriter, WriterOptions } from './writer';

export interface RunOptions extends WriterOptions {
  /** Overrides the config's `shard`. */
  shard?: ShardSpec;
  /** Backfill [from, to] (ms) instead of running live; into `outputFile` (OpenMetrics) instead of the target. */
  /** toUntilNow: no --to was given (the range ends at now - delay, as meant: no warning that it does). */
  backfill?: { fromMs: number; toMs: number; toUntilNow?: boolean; jobs?: string[]; outputFile?: string };
  /**
   * Registers a synchronous cleanup to run if a signal (Ctrl-C, SIGTERM) ends the process, returning its
   * unregistration: the CLI's. A backfill to a file registers the removal of its part files, so an interrupted one
   * leaves nothing behind, as a failed one.
   */
  cleanUpOnInterrupt?: (cleanup: () => void) => () => void;
}

export async function runWriterFromConfigFile(path: string, options: RunOptions = {}): Promise<AnomalyWriter> {
  const config = loadWriterConfig(path);
  if (config.modelStore) {
    // A store it cannot write stops the start, as the proxy's (checkStoreDirectory): not a warning per model lost.
    await checkStoreDirectory(config.modelStore.directory);
  }
  if (options.shard) {
    config.shard = options.shard;
  }
  const writer = new AnomalyWriter(config, { ...options, outputFile: options.backfill?.outputFile });
  if (options.backfill) {
    const unregister = options.cleanUpOnInterrupt?.(() => writer.discardOutput());
    try {
      const { fromMs, toMs, toUntilNow, jobs } = options.backfill;
      await writer.backfill(fromMs, toUntilNow ? Infinity : toMs, jobs);
    } catch (error) {
      writer.discardOutput();
      throw withoutSecrets(error, writer.redact);
    } finally {
      await writer.close();
      unregister?.();
    }
    return writer;
  }
  // Signals are handled from the start: a SIGTERM while the writer resumes also stops it gracefully.
  const shutdown = (signal: NodeJS.Signals) => {
    writer.log.info({ signal, graceMs: config.shutdownGraceMs }, 'stopping: finishing runs and sending the queue');
    writer
      .close()
      .then(async () => writer.log.info({ samples: await writer.sampleTotals() }, 'stopped'))
      .then(
        () => process.exit(0),
        (error: Error) => {
          writer.log.error({ reason: error.message }, 'shutdown failed');
          process.exit(1);
        }
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  let url: string;
  try {
    ({ url } = await writer.start());
  } catch (error) {
    // The read-back could not say where to resume (down, refusing): stop, rather than serve /healthz "ok" and never
    // run a job.
    process.off('SIGTERM', shutdown);
    process.off('SIGINT', shutdown);
    await writer.close().catch(() => undefined);
    throw withoutSecrets(error, writer.redact);
  }
  writer.log.info({ url, shard: `${config.shard.index}/${config.shard.count}` }, 'writer started');
  return writer;
}

/**
 * The error with the configured secrets removed from what the CLI prints of it (its message, an upstream's answer):
 * an upstream's error answer may quote the writer's credentials, as its log lines are kept from showing.
 */
function withoutSecrets(error: unknown, redact: (text: string) => string): unknown {
  if (error instanceof UpstreamPassThroughError) {
    return new UpstreamPassThroughError(error.httpStatus, error.contentType, redact(error.body));
  }
  if (error instanceof Error) {
    error.message = redact(error.message);
    error.stack = error.stack === undefined ? undefined : redact(error.stack);
  }
  return error;
}
