/**
 * detect reads its input more than once (check, training rows, scoring), which standard input cannot do. So stdin
 * is first copied to a temporary file, in constant memory; the file is removed when the run ends either way: at
 * exit, on an error, and on Ctrl-C (SIGINT) or SIGTERM, during the copy or after it.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pipeline } from 'stream/promises';
import { InputError } from '../errors';
import { cleanUpOnInterrupt } from '../interruptCleanup';

export interface SpooledInput {
  path: string;
  remove(): void;
}

export async function spoolStdin(): Promise<SpooledInput> {
  let directory: string;
  try {
    directory = mkdtempSync(join(tmpdir(), 'telemetry-analyzer-'));
  } catch (error) {
    throw spoolProblem(error);
  }
  const path = join(directory, 'stdin');
  const removeDirectory = () => rmSync(directory, { recursive: true, force: true });
  const forgetOnInterrupt = cleanUpOnInterrupt(removeDirectory);
  const remove = () => {
    removeDirectory();
    forgetOnInterrupt();
    process.removeListener('exit', remove);
  };
  process.once('exit', remove);
  try {
    await pipeline(process.stdin, createWriteStream(path));
  } catch (error) {
    remove();
    throw spoolProblem(error);
  }
  return { path, remove };
}

/**
 * A failure to copy stdin aside, said as the input's problem with where the copy goes (a review: a full or missing
 * temporary directory was an "internal error"). An error of reading stdin itself passes as it is.
 */
function spoolProblem(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !['ENOSPC', 'EDQUOT', 'EFBIG', 'ENOENT', 'EACCES', 'EROFS', 'EPERM'].includes(code)) {
    return error;
  }
  return new InputError(
    { source: '<stdin>' },
    `cannot copy standard input to the temporary directory ${tmpdir()} (${code}), which detect needs to read it ` +
      'more than once: set TMPDIR to a directory with room, or give the data as a file with --input'
  );
}
