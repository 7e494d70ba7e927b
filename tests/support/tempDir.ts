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
