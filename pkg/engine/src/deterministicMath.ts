/**
 * log, 2^x and sin/cos computed with + − × ÷ only, so that every JavaScript engine gives the same bits.
 *
 * Why: Math.log, Math.pow (and `**`), Math.sin and Math.cos are not required to be correctly rounded, and V8 changed
 * them between versions: Node 20 and Chromium 156 differ in the last bit for ~1–10 % of arguments (measured). The
 * engine promises the same scores for the same data and seed in Node (CLI, proxy) and in a browser (the panel's
 * worker), and IEEE 754 makes + − × ÷ (and sqrt) exact-rounded everywhere, so these functions use nothing else.
 * Accuracy: within 2 ulp of the true value (the tests compare with Math.* and known values).
 */

const scratch = new DataView(new ArrayBuffer(8));

/** ln 2 split so that k * LN2_HIGH is exact for |k| < 2^11 (LN2_HIGH has 32 trailing zero bits). */
const LN2_HIGH = 6.9314718036912381649e-1;
const LN2_LOW = 1.90821492927058770002e-10;
const LN2 = 0.6931471805599453;
const TWO_PI = 6.283185307179586;
/** 2^54: scales a subnormal into the normal range. */
const TWO_POW_54 = 18014398509481984;
/** 1/n for the Taylor series of e^t (multiplying by a reciprocal is as deterministic as dividing, and faster). */
const INVERSE = Array.from({ length: 18 }, (_, n) => 1 / n);
/** 2/(2j + 1), j = 1..11, for the atanh series of log. */
const ATANH_COEFFICIENTS = Array.from({ length: 11 }, (_, j) => 2 / (2 * j + 3));

/** 2^k for an integer k in [-1022, 1023], exactly, from its bit pattern. */
function powerOfTwo(k: number): number {
  scratch.setUint32(0, (k + 1023) << 20);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/** Natural logarithm. */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) {
    return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  }
  let exponent = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO_POW_54; // subnormal: make it normal first
    exponent = -54;
  }
  // x = m * 2^exponent with m in [sqrt(2)/2, sqrt(2)), so that f = m - 1 is small.
  scratch.setFloat64(0, x);
  const high = scratch.getUint32(0);
  exponent += (high >>> 20) - 1023;
  scratch.setUint32(0, (high & 0x000fffff) | 0x3ff00000);
  let m = scratch.getFloat64(0);
  if (m > Math.SQRT2) {
    m /= 2;
    exponent += 1;
  }
  const f = m - 1; // exact
  // log(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| < 0.172; written as f - s (f - R) so that the rounding of the
  // small correction s (f - R), not of f, is what the result carries. R = 2 (s^2/3 + s^4/5 + ... + s^22/23).
  const s = f / (2 + f);
  const z = s * s;
  let series = ATANH_COEFFICIENTS[10];
  for (let j = 9; j >= 0; j--) {
    series = ATANH_COEFFICIENTS[j] + z * series;
  }
  const r = z * series;
  const logM = f - s * (f - r);
  return exponent * LN2_HIGH + (logM + exponent * LN2_LOW);
}

/** 2 to the power y. */
export function exp2(y: number): number {
  if (Number.isNaN(y)) {
    return NaN;
  }
  if (y > 1024) {
    return Infinity;
  }
  if (y < -1080) {
    return 0;
  }
  // 2^y = 2^k * e^t with k = round(y) and t = (y - k) ln 2 in [-0.35, 0.35]; e^t by its Taylor series to t^17/17!
  // (the next term is below 1e-23), evaluated as 1 + t (1 + t/2 (1 + t/3 (...))).
  const k = Math.round(y);
  const t = (y - k) * LN2;
  let e = 1;
  for (let n = 17; n >= 1; n--) {
    e = 1 + t * e * INVERSE[n];
  }
  if (k >= -1022) {
    return k === 1024 ? e * 2 * powerOfTwo(1023) : e * powerOfTwo(k);
  }
  return e * powerOfTwo(-1022) * powerOfTwo(k + 1022); // subnormal result: one rounding, the same everywhere
}

/** sin and cos of an angle given in turns (1 turn = 2π): exact at every quarter turn. */
export function sinCosOfTurns(turns: number): { sin: number; cos: number } {
  const fraction = turns - Math.floor(turns); // [0, 1)
  const quarter = Math.round(fraction * 4); // 0..4
  const angle = (fraction - quarter / 4) * TWO_PI; // [-π/4, π/4]
  const a2 = angle * angle;
  // Taylor series to a^19/19! and a^18/18! (the next terms are below 1e-22 on [-π/4, π/4]).
  let sin = 1;
  for (let n = 19; n >= 3; n -= 2) {
    sin = 1 - (a2 * sin) / (n * (n - 1));
  }
  sin *= angle;
  let cos = 1;
  for (let n = 18; n >= 2; n -= 2) {
    cos = 1 - (a2 * cos) / (n * (n - 1));
  }
  switch (quarter % 4) {
    case 0:
      return { sin, cos };
    case 1:
      return { sin: cos, cos: -sin };
    case 2:
      return { sin: -sin, cos: -cos };
    default:
      return { sin: -cos, cos: sin };
  }
}
