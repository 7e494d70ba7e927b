/**
 * Text built straight into one growing byte buffer: a batch of output lines without a string per line or per
 * field, so a million-row run leaves the garbage collector next to nothing to do, and the bytes can be handed
 * between threads (transferred, not copied) and to the file as they are.
 */
const encoder = new TextEncoder();

export class TextBytes {
  private buffer: Uint8Array;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Makes room for `extra` more bytes; returns the buffer to write them into (at `length`). */
  reserve(extra: number): Uint8Array {
    if (this.length + extra > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer;
  }

  /** Appends text known to be ASCII (numbers, ISO timestamps, fixed words): one byte per character. */
  ascii(text: string): void {
    const buffer = this.reserve(text.length);
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      buffer[at++] = text.charCodeAt(i);
    }
    this.length = at;
  }

  byte(code: number): void {
    this.reserve(1)[this.length++] = code;
  }

  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length).set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The bytes written, in a buffer of their own (transferable); the builder starts again empty. */
  take(): Uint8Array {
    const taken = this.buffer.slice(0, this.length);
    this.length = 0;
    return taken;
  }
}

/** UTF-8 bytes of any text (group names, quoted fields), encoded once and appended with TextBytes#bytes. */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
