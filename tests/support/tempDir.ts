import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, named after what it is for so leftovers are recognisable. */
export function makeTempDir(purpose: string): string {
  return mkdtempSync(join(tmpdir(), `telemetry-analyzer-${purpose}-`));
}

export function removeTempDir(dir: string): void {
  // maxRetries: a server that just exited may still be closing files in it.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/**
 * Calls `start` with a fresh temp dir (makeTempDir). If `start` fails, the dir is removed and the error rethrown; if
 * it succeeds, what it returns owns the dir (its stop() removes it).
 */
export async function startInTempDir<T>(purpose: string, start: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir(purpose);
  try {
    return await start(dir);
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
}
