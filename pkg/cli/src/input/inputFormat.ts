import { InputError } from '../errors';

export type InputFormat = 'csv' | 'json' | 'ndjson';
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'json', 'ndjson'];

/** The --format value if given, else the format the file extension names; stdin needs --format. */
export function resolveInputFormat(input: string, format: string | undefined): InputFormat {
  if (format !== undefined) {
    if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
      throw new InputError({ source: '--format' }, `must be one of ${INPUT_FORMATS.join(', ')}, got "${format}"`);
    }
    return format as InputFormat;
  }
  if (input === '-') {
    throw new InputError({ source: '--format' }, 'reading standard input needs --format csv|json|ndjson');
  }
  const extension = /\.([a-z]+)$/i.exec(input)?.[1]?.toLowerCase();
  if (extension === 'csv') {
    return 'csv';
  }
  if (extension === 'json') {
    return 'json';
  }
  if (extension === 'ndjson' || extension === 'jsonl') {
    return 'ndjson';
  }
  throw new InputError(
    { source: input },
    'cannot tell the format from the file extension (.csv, .json, .ndjson/.jsonl); pass --format'
  );
}
