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
 * exactly one of those three reads back it is String()'s; with two (a tie, or an interval holding two), give up.
 * With none, 17 digits: the 17-digit decimal nearest to v, round(v * 10^17), is 5e-18 or less from v, inside the
 * interval of doubles that read back as v (half-width 2^-57 or more here, but below a power of two, where it halves:
 * give up at 0.125, 0.25 and 0.5), and so String()'s. v * 10^17 is computed exactly as the sum of two doubles
 * (Dekker's product; 10^17 is a double), and rounded to an integer held in two parts; an exact tie gives up.
 */

const DOT = 46;
const ZERO = 48;

/**
 * Writes String(value) at out[at..] for value in [0.1, 0.9) when sure of it (out needs 19 free bytes: "0." and up to 17 digits).
 * @returns the index after the text, or -1 (nothing usable written): write String(value) instead
 */
export function writeShortestFraction(value: number, out: Uint8Array, at: number): number {
  if (!(value >= 0.1 && value < 0.9)) {
    return -1;
  }
  let digits = 15;
  let high: number;
  let low: number;
  let decimal = onlyReadingBack(value, 1e15);
  if (decimal === NONE) {
    digits = 16;
    decimal = onlyReadingBack(value, 1e16);
  }
  if (decimal >= 0) {
    // decimal < 9e15: two int32 parts, the low one of 8 digits, the high one of digits - 8 (no leading zero).
    high = Math.floor(decimal / 1e8);
    low = (decimal - high * 1e8) | 0;
  } else if (decimal === NONE && value !== 0.125 && value !== 0.25 && value !== 0.5) {
    digits = 17;
    if (!nearest17(value)) {
      return -1;
    }
    high = parts[0];
    low = parts[1];
  } else {
    return -1;
  }
  out[at++] = ZERO;
  out[at++] = DOT;
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

const NONE = -1;
const TWO = -2;

/** The one integer c of round(value * scale) - 1 .. + 1 with c / scale === value, or NONE, or TWO. */
function onlyReadingBack(value: number, scale: number): number {
  const nearest = Math.round(value * scale);
  let found = NONE;
  for (let candidate = nearest - 1; candidate <= nearest + 1; candidate++) {
    if (candidate / scale === value) {
      if (found >= 0) {
        return TWO;
      }
      found = candidate;
    }
  }
  return found;
}

/** nearest17's result: round(value * 1e17) = parts[0] * 1e8 + parts[1], parts[1] < 1e8. */
const parts = new Float64Array(2);
/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;
const E17 = 1e17;
const E17_HIGH = SPLITTER * E17 - (SPLITTER * E17 - E17);
const E17_LOW = E17 - E17_HIGH;

/**
 * round(value * 1e17) for value in [0.1, 0.9) into `parts`; false on an exact tie. The product is the exact sum
 * product + error (Dekker); product is an even integer (1e16 <= product < 2^57), |error| <= half its ulp: <= 4
 * below 2^56, <= 8 from 2^56 (value >= ~0.72).
 */
function nearest17(value: number): boolean {
  const product = value * E17;
  const split = SPLITTER * value;
  const valueHigh = split - (split - value);
  const valueLow = value - valueHigh;
  const error = valueHigh * E17_HIGH - product + valueHigh * E17_LOW + valueLow * E17_HIGH + valueLow * E17_LOW;
  const errorRounded = Math.round(error);
  if (errorRounded - error === 0.5) {
    return false; // exactly halfway
  }
  // product = high * 1e8 + low; high * 1e8 = (high * 390625) * 256 is exact, and so is the difference.
  let high = Math.floor(product / 1e8);
  let low = product - high * 1e8 + errorRounded;
  while (low < 0) {
    high--;
    low += 1e8;
  }
  while (low >= 1e8) {
    high++;
    low -= 1e8;
  }
  parts[0] = high;
  parts[1] = low;
  return true;
}
