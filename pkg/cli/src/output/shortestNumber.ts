/**
 * The text JavaScript gives a number (String(value): the fewest significant digits that read back as the same double,
 * the closest such if several), written straight as bytes for the numbers an output is full of: Isolation Forest
 * scores, doubles in [0.1, 0.9) that need 15 to 17 digits. String() costs ~0.35 us and a string per number; this
 * costs a few multiplications and divisions, and gives up (returns -1) wherever it could not be sure of String()'s
 * answer, so the caller writes String(value) instead: the text is always String()'s.
 *
 * Why it is exact. For v in [0.1, 0.9), d decimals are d significant digits. A decimal c / 10^d (c an integer below
 * 2^53, 10^d exact) reads back as v exactly when the division c / 10^d, which IEEE rounds correctly, gives v. The
 * doubles there are 2^-56 to 2^-53 apart, so at most one 15-digit decimal (1e-15 apart) reads back as v: if one does,
 * it is String()'s, written without its trailing zeros (a shorter one would be the same decimal). Otherwise 16 digits:
 * the decimal nearest to v is the closest of any that read back, and it is among round(v * 10^16) - 1 .. + 1; when
 * exactly one of those three reads back it is String()'s; with two (a tie, or an interval holding two) or none (17
 * digits), give up.
 */

const DOT = 46;
const ZERO = 48;

/**
 * Writes String(value) at out[at..] for value in [0.1, 0.9) when sure of it (out needs 18 free bytes).
 * @returns the index after the text, or -1 (nothing usable written): write String(value) instead
 */
export function writeShortestFraction(value: number, out: Uint8Array, at: number): number {
  if (!(value >= 0.1 && value < 0.9)) {
    return -1;
  }
  let digits = 15;
  let decimal = onlyReadingBack(value, 1e15);
  if (decimal < 0) {
    digits = 16;
    decimal = onlyReadingBack(value, 1e16);
    if (decimal < 0) {
      return -1;
    }
  }
  out[at++] = ZERO;
  out[at++] = DOT;
  // decimal < 9e15: two int32 halves of 8 digits each (the high one has digits - 8 digits, no leading zero).
  const high = Math.floor(decimal / 1e8);
  let low = (decimal - high * 1e8) | 0;
  let end = at + digits;
  let position = end;
  for (let i = 0; i < 8; i++) {
    const quotient = (low / 10) | 0;
    out[--position] = ZERO + low - quotient * 10;
    low = quotient;
  }
  let rest = high | 0;
  while (position > at) {
    const quotient = (rest / 10) | 0;
    out[--position] = ZERO + rest - quotient * 10;
    rest = quotient;
  }
  while (out[end - 1] === ZERO) {
    end--;
  }
  return end;
}

/** The one integer c of round(value * scale) - 1 .. + 1 with c / scale === value, or -1 (none, or two). */
function onlyReadingBack(value: number, scale: number): number {
  const nearest = Math.round(value * scale);
  let found = -1;
  for (let candidate = nearest - 1; candidate <= nearest + 1; candidate++) {
    if (candidate / scale === value) {
      if (found >= 0) {
        return -1;
      }
      found = candidate;
    }
  }
  return found;
}
