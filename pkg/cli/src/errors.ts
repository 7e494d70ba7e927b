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
 * Text from the input made safe for a terminal: control characters, lone surrogates, U+FFFD (undecodable bytes) and
 * the bidirectional controls (U+202A–U+202E, U+2066–U+2069: a group named with U+202E reversed the rest of its line)
 * shown as escapes (`\x1b`, `\u{202e}`), so a name from the input neither moves the cursor, rings the bell nor
 * reorders what follows it.
 */
export function terminalText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** terminalText, cut to a few hundred characters (a bad line quoted in an error). */
export function safeText(text: string): string {
  const escaped = terminalText(text);
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

/** Where character `offset` of `text` is in the input, `text` starting at `start` (a line and 1-based column). */
export function locateInText(text: string, offset: number, start: Required<InputLocation>): Required<InputLocation> {
  let { line, column } = start;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    // A CR alone ends a line too, and a CR LF is one line end.
    if (text[i] === '\r' || (text[i] === '\n' && text[i - 1] !== '\r')) {
      line++;
      column = 1;
    } else if (text[i] !== '\n') {
      column++;
    }
  }
  return { source: start.source, line, column };
}

/** Exit codes of the CLI. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL_ERROR = 1;
export const EXIT_INPUT_ERROR = 2;
