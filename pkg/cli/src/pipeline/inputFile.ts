import type { Readable } from 'stream';
import { resolveInputFormat, type InputFormat } from '../input/inputFormat';
import { checkReadableFile, openInputFile } from '../input/openInput';
import { spoolStdin } from '../input/spoolStdin';

/** An input that can be read several times: a file, or stdin spooled to a temporary file. */
export interface ReopenableInput {
  /** Name in messages: the path as given, or `<stdin>`. */
  source: string;
  format: InputFormat;
  open(): Readable;
  close(): void;
}

export async function openReopenableInput(input: string, format: string | undefined): Promise<ReopenableInput> {
  const resolvedFormat = resolveInputFormat(input, format);
  if (input !== '-') {
    checkReadableFile(input); // fail now, with the file's name, if it cannot be read
    return { source: input, format: resolvedFormat, open: () => openInputFile(input), close: () => undefined };
  }
  const spooled = await spoolStdin();
  return {
    source: '<stdin>',
    format: resolvedFormat,
    open: () => openInputFile(spooled.path, '<stdin>'),
    close: spooled.remove,
  };
}
