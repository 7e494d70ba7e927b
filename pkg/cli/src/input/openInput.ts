import { createReadStream, statSync } from 'fs';
import type { Readable } from 'stream';
import { InputError } from '../errors';

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
  return createReadStream(path);
}
