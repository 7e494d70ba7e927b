/**
 * Standard output that fails loudly. Node reports a failed write to stdout (a full disk, a closed descriptor, an
 * I/O error) only to the write's callback and then as an 'error' event, never as a throw: `stream > /dev/full` read
 * its whole input and exited 0 having written nothing. Here the first failure makes every later write, and the final
 * flush, throw an ExternalFailure (exit 1). A reader that closes its end early (`| head`) is not a failure: EPIPE is
 * left to main.ts (exit 0).
 */
import { ExternalFailure } from '../errors';

let failure: NodeJS.ErrnoException | undefined;

/** Records a failed write to stdout (its callback's or the stream's 'error' event's error); EPIPE is not one. */
export function noteStandardOutputError(error: NodeJS.ErrnoException | null | undefined): void {
  if (error && error.code !== 'EPIPE') {
    failure ??= error;
  }
}

/** The failure of an earlier write to stdout, if there was one (not EPIPE). */
export function standardOutputFailure(): ExternalFailure | undefined {
  return failure === undefined
    ? undefined
    : new ExternalFailure(`cannot write to standard output: ${failure.code ?? failure.message}`);
}

function throwIfFailed(): void {
  const error = standardOutputFailure();
  if (error) {
    throw error;
  }
}

/** Writes `text` to stdout; throws if an earlier write failed. */
export function writeStandardOutput(text: string): void {
  throwIfFailed();
  process.stdout.write(text, noteStandardOutputError);
}

/** Waits until everything written to stdout was handed to the OS; throws if any of it failed. */
export async function flushStandardOutput(): Promise<void> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  throwIfFailed();
}
