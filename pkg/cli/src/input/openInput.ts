import { closeSync, createReadStream, openSync, statSync } from 'fs';
import type { Readable } from 'stream';
import { InputError } from '../errors';

/** Bytes read at a time: a batch of rows per chunk, few enough that they are collected young. */
const READ_CHUNK_BYTES = 256 * 1024;

/** A read stream of a file, after checking that it exists and is a readable file (clear message otherwise). */
export function openInputFile(path: string, source: string = path): Readable {
  checkReadableFile(path, source);
  return createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
}

/**
 * Throws an InputError naming `source` unless `path` is a regular file this process may open for reading. Opened
 * here, not only stat'ed: a file without read permission stats fine and failed later, in the read stream.
 */
export function checkReadableFile(path: string, source: string = path): void {
  const problem = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    return new InputError(
      { source },
      code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? 'unknown error'})`
    );
  };
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw problem(error);
  }
  if (!stats.isFile()) {
    // A pipe (`<(cmd)`, /dev/stdin) is read twice by the passes over a file, which it cannot be; stdin can (a review:
    // the message did not say so).
    throw new InputError(
      { source },
      stats.isDirectory()
        ? 'not a regular file (a directory)'
        : 'not a regular file: pipe the data in with --input - (stdin is copied to a temporary file first)'
    );
  }
  try {
    closeSync(openSync(path, 'r'));
  } catch (error) {
    throw problem(error);
  }
}
