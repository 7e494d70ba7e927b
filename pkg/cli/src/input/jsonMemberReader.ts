/**
 * Reads a JSON document too long for one string (V8 caps a string at ~512 MiB, so readFileSync + JSON.parse fails)
 * member by member: the caller walks its objects key by key and takes each value with readValue(), which reads just
 * that value's bytes from the file (a chunk at a time) and hands them to JSON.parse. Only one value's text is held
 * at a time: a grouped model file is read one group's detector after the other. The value's extent is found by
 * brackets and quotes only (bytes: '"', '\\' and the brackets never occur inside a UTF-8 multi-byte character);
 * JSON.parse validates it. Syntax errors are JsonSyntaxError, at a byte offset of the file.
 */
import { readSync } from 'fs';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Invalid JSON at `byteOffset` of the file; `message` worded as JSON.parse words it, without the position. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';

  constructor(
    message: string,
    readonly byteOffset: number,
    /** What JSON.parse says before the position's number (" in JSON at position "); null: no position. */
    readonly atPosition: string | null = ' in JSON at position '
  ) {
    super(message);
  }
}

/** One value of the document is longer than the longest string (its bytes could not be JSON.parse'd). */
export class JsonValueTooLongError extends Error {
  override readonly name = 'JsonValueTooLongError';

  constructor(
    readonly byteOffset: number,
    readonly bytes: number
  ) {
    super(`a JSON value of ${bytes} bytes at byte ${byteOffset} is longer than the longest string`);
  }
}

export class JsonMemberReader {
  private buffer: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** File offset of buffer[0]. */
  private bufferStart = 0;
  private atEnd = false;
  /** Per open object, whether its next member is its first. */
  private readonly firstMember: boolean[] = [];

  /**
   * @param fd an open file, read from its start
   * @param chunkBytes bytes read at a time
   */
  constructor(
    private readonly fd: number,
    private readonly chunkBytes = 1 << 20
  ) {}

  /** The next byte without taking it; -1 at the end of the file. */
  private peek(): number {
    if (this.pos >= this.buffer.length) {
      if (this.atEnd) {
        return -1;
      }
      this.bufferStart += this.buffer.length;
      const chunk = Buffer.allocUnsafe(this.chunkBytes);
      const read = readSync(this.fd, chunk, 0, this.chunkBytes, this.bufferStart);
      this.buffer = chunk.subarray(0, read);
      this.pos = 0;
      if (read === 0) {
        this.atEnd = true;
        return -1;
      }
    }
    return this.buffer[this.pos];
  }

  /** File offset of the next byte. */
  private get offset(): number {
    return this.bufferStart + this.pos;
  }

  /** The next byte that is not whitespace, not taken; -1 at the end of the file. */
  private peekToken(): number {
    for (let byte = this.peek(); byte !== -1; byte = this.peek()) {
      if (!isWhitespace(byte)) {
        return byte;
      }
      this.pos++;
    }
    return -1;
  }

  private unexpected(byte: number, expected?: string): JsonSyntaxError {
    if (byte === -1) {
      return new JsonSyntaxError('Unexpected end of JSON input', this.offset, null);
    }
    return new JsonSyntaxError(expected ?? `Unexpected token '${String.fromCharCode(byte)}'`, this.offset);
  }

  /** Whether the next value (after whitespace) is an object. */
  valueIsObject(): boolean {
    return this.peekToken() === OPEN_BRACE;
  }

  /** Takes the '{' of an object; then nextKey() walks its members. */
  openObject(): void {
    const byte = this.peekToken();
    if (byte !== OPEN_BRACE) {
      throw this.unexpected(byte);
    }
    this.pos++;
    this.firstMember.push(true);
  }

  /** The next member's key (its ':' taken), or undefined at the end of the object (its '}' taken). */
  nextKey(): string | undefined {
    let byte = this.peekToken();
    const first = this.firstMember[this.firstMember.length - 1];
    if (byte === CLOSE_BRACE) {
      this.pos++;
      this.firstMember.pop();
      return undefined;
    }
    if (!first) {
      if (byte !== COMMA) {
        throw this.unexpected(byte, "Expected ',' or '}' after property value");
      }
      this.pos++;
      byte = this.peekToken();
    }
    if (byte !== QUOTE) {
      throw this.unexpected(byte, first ? "Expected property name or '}'" : 'Expected double-quoted property name');
    }
    const key = this.readValue() as string;
    this.firstMember[this.firstMember.length - 1] = false;
    byte = this.peekToken();
    if (byte !== COLON) {
      throw this.unexpected(byte, "Expected ':' after property name");
    }
    this.pos++;
    return key;
  }

  /** The next value, JSON.parse'd from its bytes alone. */
  readValue(): unknown {
    const first = this.peekToken();
    const start = this.offset;
    if (first === -1 || first === COMMA || first === COLON || first === CLOSE_BRACE || first === CLOSE_BRACKET) {
      throw this.unexpected(first);
    }
    const structured = first === OPEN_BRACE || first === OPEN_BRACKET || first === QUOTE;
    const parts: Buffer[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let complete = false;
    while (!complete && this.peek() !== -1) {
      const buffer = this.buffer;
      let i = this.pos;
      for (; i < buffer.length; i++) {
        const byte = buffer[i];
        if (inString) {
          if (escaped) {
            escaped = false;
          } else if (byte === BACKSLASH) {
            escaped = true;
          } else if (byte === QUOTE) {
            inString = false;
            if (depth === 0) {
              i++;
              complete = true;
              break;
            }
          }
        } else if (!structured) {
          if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte)) {
            complete = true;
            break;
          }
        } else if (byte === QUOTE) {
          inString = true;
        } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
          depth++;
        } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            i++;
            complete = true;
            break;
          }
        }
      }
      parts.push(buffer.subarray(this.pos, i));
      this.pos = i;
    }
    if (!complete && structured) {
      throw new JsonSyntaxError('Unexpected end of JSON input', this.offset, null);
    }
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    let text: string;
    try {
      text = bytes.toString('utf8');
    } catch {
      throw new JsonValueTooLongError(start, bytes.length); // ERR_STRING_TOO_LONG
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /( in JSON at position | at position )(\d+)/.exec(message);
      if (!position) {
        throw new JsonSyntaxError(message, start, null);
      }
      const at = start + Buffer.byteLength(text.slice(0, Number(position[2])));
      const rest = message.slice(position.index + position[0].length);
      throw new JsonSyntaxError(message.slice(0, position.index) + rest, at, position[1]);
    }
  }

  /** After the document's value: nothing but whitespace. */
  end(): void {
    const byte = this.peekToken();
    if (byte !== -1) {
      throw new JsonSyntaxError('Unexpected non-whitespace character after JSON', this.offset, ' at position ');
    }
  }
}

/**
 * Line, column (1-based, in UTF-16 code units as JSON.parse counts) and character position of `byteOffset` in the
 * file: for error messages, so read again from the start rather than counted along the way.
 */
export function locateByteOffset(fd: number, byteOffset: number): { line: number; column: number; position: number } {
  let line = 1;
  let column = 1;
  let position = 0;
  let afterCr = false;
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let start = 0; start < byteOffset;) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, byteOffset - start), start);
    if (read === 0) {
      break;
    }
    for (let i = 0; i < read; i++) {
      const byte = chunk[i];
      if ((byte & 0xc0) === 0x80) {
        continue; // a continuation byte: its character was counted at its first byte
      }
      const units = byte >= 0xf0 ? 2 : 1; // four-byte characters are two UTF-16 code units
      position += units;
      // A CR alone ends a line too, and a CR LF is one line end.
      if (byte === 0x0d || (byte === 0x0a && !afterCr)) {
        line++;
        column = 1;
      } else if (byte !== 0x0a) {
        column += units;
      }
      afterCr = byte === 0x0d;
    }
    start += read;
  }
  return { line, column, position };
}
