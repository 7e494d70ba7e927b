/**
 * detect reads its input more than once (check, training rows, scoring), which standard input cannot do. So stdin
 * is first copied to a temporary file, in constant memory; the file is removed when the run ends either way: at
 * exit, on an error, and on Ctrl-C (SIGINT) or SIGTERM, during the copy or after it.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pipeline } from 'stream/promises';
import { cleanUpOnInterrupt } from '../interruptCleanup';

export interface SpooledInput {
  path: string;
  remove(): void;
}

export async function spoolStdin(): Promise<SpooledInput> {
  const directory = mkdtempSync(join(tmpdir(), 'telemetry-analyzer-'));
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
    throw error;
  }
  return { path, remove };
}
