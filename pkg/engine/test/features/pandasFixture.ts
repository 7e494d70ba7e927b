// pandas reference results written by scripts/reference/make_feature_fixtures.py (null = NaN).
import { readFileSync } from 'fs';
import { join } from 'path';

type Encoded = Array<number | null>;
interface SeriesFixture {
  values: Encoded;
  shift: Record<string, Encoded>;
  diff: Record<string, Encoded>;
  rolling: Record<string, { mean: Encoded; std: Encoded; stdExact: Encoded; min: Encoded; max: Encoded }>;
}
interface FeatureFixture {
  series: Record<string, SeriesFixture>;
  time: { timestampsMs: number[]; hour: number[]; weekdaySundayZero: number[] };
}

export const fixture: FeatureFixture = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'features.json'), 'utf8')
);

export const seriesNames = Object.keys(fixture.series);

export function decode(values: Encoded): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v));
}

/**
 * Same NaN positions as pandas and every other value within 1e-9 relative of pandas (a pandas 0 must be exactly 0).
 * With `exact` (a reference computed in exact arithmetic), values must be within 1e-9 of it instead, and may differ
 * from pandas only by pandas' own rounding error (its distance to the exact value) plus 1e-9.
 */
export function expectMatchesPandas(actual: Float64Array, expected: Encoded, exact?: Encoded): void {
  expect(actual).toHaveLength(expected.length);
  const actualNaN = Array.from(actual, (v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0);
  const expectedNaN = expected.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
  expect(actualNaN).toEqual(expectedNaN);
  const mismatches: string[] = [];
  expected.forEach((want, i) => {
    if (want === null) {
      return;
    }
    const truth = exact?.[i] ?? want;
    const pandasError = Math.abs(want - truth);
    const closeToTruth = Math.abs(actual[i] - truth) <= 1e-9 * Math.abs(truth);
    const closeToPandas = Math.abs(actual[i] - want) <= 1e-9 * Math.abs(want) + pandasError;
    if (!closeToTruth || !closeToPandas) {
      mismatches.push(`index ${i}: got ${actual[i]}, pandas ${want}, exact ${truth}`);
    }
  });
  expect(mismatches).toEqual([]);
}
