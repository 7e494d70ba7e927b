/**
 * Entry point: runs the command line and is the ONE place that turns errors into exit codes and messages.
 * InputError (bad file, row, option or model) → its message, exit 2. Commander usage errors → commander's
 * message, exit 2. ExternalFailure (an upstream or target failed) → its message, exit 1. Anything else is a bug →
 * "internal error" and a one-line message, exit 1 (stack trace only with DEBUG set).
 */
import { CommanderError } from 'commander';
import { EXIT_INPUT_ERROR, EXIT_INTERNAL_ERROR, EXIT_OK, ExternalFailure, InputError, safeText } from './errors';
import { noteStandardOutputError, standardOutputFailure } from './output/standardOutput';
import { buildProgram } from './program';

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    // A command that finished but read bad input it could skip (stream) says so through process.exitCode.
    return process.exitCode === EXIT_INPUT_ERROR ? EXIT_INPUT_ERROR : EXIT_OK;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof InputError) {
    process.stderr.write(`telemetry-analyzer: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  if (error instanceof CommanderError) {
    // commander printed the message already; help and version end with exit code 0.
    return error.exitCode === 0 ? EXIT_OK : EXIT_INPUT_ERROR;
  }
  if (error instanceof ExternalFailure) {
    process.stderr.write(`telemetry-analyzer: ${error.message}\n`);
    return EXIT_INTERNAL_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`telemetry-analyzer: internal error: ${safeText(message)}\n`);
  if (process.env.DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  return EXIT_INTERNAL_ERROR;
}

/** For bin/telemetry-analyzer.js. */
export function run(): void {
  // A reader that closes our stdout early (e.g. `| head`) is not an error. Any other failure to write it is: a
  // command that wrote there and did not learn of it (standardOutput.ts) still ends with exit 1, said once.
  let done = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(EXIT_OK);
    }
    noteStandardOutputError(error);
    const failure = standardOutputFailure();
    if (done && failure && process.exitCode === EXIT_OK) {
      process.exitCode = exitCodeFor(failure);
    }
  });
  // Messages that cannot be shown (stderr to a full disk, or a reader that left: `2>&1 | head -1`) do not fail a
  // run whose results are written: an unheard 'error' event would end the process with exit 1 mid-run.
  process.stderr.on('error', () => undefined);
  // The event loop emptied while the command still waited (for an answer no one will send): Node would end the
  // process with exit 0, as if it had succeeded. It did not.
  process.on('beforeExit', () => {
    if (!done) {
      done = true;
      process.stderr.write('telemetry-analyzer: internal error: the command stopped before it finished\n');
      process.exitCode = EXIT_INTERNAL_ERROR;
    }
  });
  main(process.argv).then((code) => {
    done = true;
    const failure = code === EXIT_OK ? standardOutputFailure() : undefined;
    process.exitCode = failure ? exitCodeFor(failure) : code;
  });
}
