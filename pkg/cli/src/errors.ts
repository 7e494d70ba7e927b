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
    readonly reason: string,
    /** Problems listed one per line under the reason (every problem of a config file), each made safe on its own. */
    readonly details: readonly string[] = []
  ) {
    super(safeText(`${formatLocation(location)}: ${reason}`) + details.map((d) => `\n  - ${safeText(d)}`).join(''));
  }
}

/**
 * Something outside the CLI failed while it worked: an upstream was unreachable or answered 5xx, a target refused.
 * Not the user's input and not our bug: main.ts prints `message` as is and exits 1, without "internal error".
 */
export class ExternalFailure extends Error {
  override readonly name = 'ExternalFailure';

  constructor(message: string) {
    super(safeText(message));
  }
}

const MAX_MESSAGE_CHARS = 400;

/**
 * Text from the input made safe for a terminal: control characters, lone surrogates and U+FFFD (undecodable bytes)
 * shown as escapes (`\x1b`, `\u{fffd}`), so binary garbage neither moves the cursor nor rings the bell; and cut
 * to a few hundred characters.
 */
export function safeText(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udfff]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  return escaped.length <= MAX_MESSAGE_CHARS
    ? escaped
    : `${escaped.slice(0, MAX_MESSAGE_CHARS)}… (${escaped.length - MAX_MESSAGE_CHARS} more characters)`;
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
