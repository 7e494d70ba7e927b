/**
 * The one error type for everything the user can fix: bad files, bad rows, bad options, bad model files.
 * The top-level handler (main.ts) prints `message` as is and exits with code 2; anything else is an internal
 * error (exit 1).
 */

/** Where in which input the problem is. Lines and columns are 1-based; the column is the field's position in the row. */
export interface InputLocation {
  /** File name as the user gave it, `<stdin>` for standard input, or an option such as `--contamination`. */
  source: string;
  line?: number;
  column?: number;
}

export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    readonly location: InputLocation,
    readonly reason: string
  ) {
    super(`${formatLocation(location)}: ${reason}`);
  }
}

/** `file:line:column`, `file:line` or `file`, like compilers print it. */
export function formatLocation({ source, line, column }: InputLocation): string {
  if (line === undefined) {
    return source;
  }
  return column === undefined ? `${source}:${line}` : `${source}:${line}:${column}`;
}

/** Exit codes of the CLI. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL_ERROR = 1;
export const EXIT_INPUT_ERROR = 2;
