/**
 * A key given twice in one JSON row (`{"ts": 1, "cpu": 1, "cpu": 2}`): JSON.parse keeps the last value without a word,
 * so the row was read with a value the file may not mean (a review). Refused at the second one, in JSON and NDJSON,
 * by every command (`stream`: a bad row, skipped).
 */
import { InputError, locateInText, type InputLocation } from '../errors';

const COMMA = 44;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * Throws an InputError at the second occurrence of a key of the top-level object `text` (JSON.parse'd into `value`),
 * if any. A repeated key is a member more than the object has keys. An object of n keys written with n - 1 commas
 * has no other member (each member but the first follows a comma): every telemetry row without a comma inside a
 * value, told at once. Otherwise its members are counted, and only when they outnumber its keys is the repeated key
 * looked for.
 * @param start where `text` starts in the input
 */
export function refuseDuplicateKey(text: string, value: unknown, start: Required<InputLocation>): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return; // refused as not a row elsewhere
  }
  const keys = Object.keys(value).length;
  let commas = 0;
  for (let at = text.indexOf(','); at >= 0 && commas < keys; at = text.indexOf(',', at + 1)) {
    commas++;
  }
  if ((keys > 0 && commas === keys - 1) || walkKeys(text) === keys) {
    return;
  }
  const second = secondOccurrence(text);
  if (second !== undefined) {
    const first = locateInText(text, second.firstOffset, start);
    throw new InputError(
      locateInText(text, second.offset, start),
      `key ${JSON.stringify(second.key)} is given twice in this row (first at ${first.line}:${first.column}): ` +
        'which value is meant is not known; give each key once'
    );
  }
}

/**
 * Walks the members of the top-level object `text` (valid JSON), handing each key's opening quote and closing quote
 * offsets to `onKey` (which stops the walk by returning true); what is between strings is read character by
 * character, a string's text jumped over. @returns the number of members walked
 */
function walkKeys(text: string, onKey?: (open: number, close: number) => boolean): number {
  let members = 0;
  let depth = 0;
  // At depth 1, whether the next string is a key: after the opening brace or a comma.
  let expectKey = false;
  for (let at = 0; ;) {
    const quote = text.indexOf('"', at);
    const end = quote < 0 ? text.length : quote;
    for (; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
        expectKey = depth === 1 && code === OPEN_BRACE;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth--;
      } else if (code === COMMA) {
        expectKey = depth === 1;
      }
    }
    if (quote < 0) {
      return members;
    }
    const close = closingQuote(text, quote);
    if (depth === 1 && expectKey) {
      members++;
      expectKey = false;
      if (onKey?.(quote, close)) {
        return members;
      }
    }
    at = close + 1;
  }
}

/** The first key of the top-level object `text` (valid JSON) that repeats an earlier one: the offsets of both. */
function secondOccurrence(text: string): { key: string; offset: number; firstOffset: number } | undefined {
  const seen = new Map<string, number>();
  let found: { key: string; offset: number; firstOffset: number } | undefined;
  walkKeys(text, (open, close) => {
    const literal = text.slice(open, close + 1);
    const key = literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
    const firstOffset = seen.get(key);
    if (firstOffset !== undefined) {
      found = { key, offset: open, firstOffset };
      return true;
    }
    seen.set(key, open);
    return false;
  });
  return found;
}

/** The offset of the quote that closes the string opened at `open`. */
function closingQuote(text: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) {
      backslashes++;
    }
    if (backslashes % 2 === 0) {
      return quote;
    }
    at = quote + 1;
  }
}
