import { createReadStream, statSync } from 'fs';
import type { Readable } from 'stream';
import { InputError } from '../errors';

/** Bytes read at a time: a batch of rows per chunk, few enough that they are collected young. */
const READ_CHUNK_BYTES = 256 * 1024;

/** A read stream of a file, after checking that it exists and is a readable file (clear message otherwise). */
export function openInputFile(path: string, source: string = path): Readable {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      { source },
      code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? 'unknown error'})`
    );
  }
  if (!isFile) {
    throw new InputError({ source }, 'not a regular file');
  }
  return createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
}
