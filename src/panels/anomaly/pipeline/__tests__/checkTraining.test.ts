import type { SeriesTable } from '@telemetry-analyzer/engine';
import { checkTrainingTable } from '../checkTraining';

const CHECK = {
  count: 20,
  reason: 'window 12 + lags 1 + 7 rows to train on',
  where: 'in the visible range',
  trainsOnScoredRows: true,
};

function table(columns: Record<string, number[]>): SeriesTable {
  const length = Math.max(...Object.values(columns).map((v) => v.length));
  return {
    timestamps: Float64Array.from({ length }, (_, i) => i * 60_000),
    columns: Object.entries(columns).map(([name, values]) => ({ name, values: Float64Array.from(values) })),
  };
}

const wave = (n: number, from = 0) => Array.from({ length: n }, (_, i) => (i < from ? NaN : 10 + Math.sin(i)));

describe('checkTrainingTable', () => {
  it('passes a series with enough points that changes', () => {
    expect(checkTrainingTable(table({ cpu: wave(50) }), CHECK)).toBeUndefined();
  });

  it('says how many points one series has and how many it needs', () => {
    expect(checkTrainingTable(table({ cpu: wave(10) }), CHECK)).toEqual({
      kind: 'not-enough-data',
      message: '10 points in the visible range; at least 20 are needed: window 12 + lags 1 + 7 rows to train on',
    });
  });

  it('says when a series has rows but no numeric value in them (all null, NaN or text), not "0 points"', () => {
    expect(checkTrainingTable(table({ cpu: wave(300).map(() => NaN) }), CHECK)).toEqual({
      kind: 'not-enough-data',
      message:
        '300 rows in the visible range but none with a numeric value (null, NaN or text); at least 20 are needed: ' +
        'window 12 + lags 1 + 7 rows to train on',
    });
  });

  it('names the series of a multivariate model that has too few points (a dead exporter)', () => {
    expect(checkTrainingTable(table({ cpu: wave(50), mem: wave(50).map(() => NaN) }), CHECK)).toEqual({
      kind: 'not-enough-data',
      message:
        '0 points in the visible range where every series of the model has a value (mem has 0); at least 20 are ' +
        'needed: window 12 + lags 1 + 7 rows to train on',
    });
  });

  it('says when the series of a model each have points but not at the same steps (a replaced pod)', () => {
    const first = wave(60).map((v, i) => (i < 30 ? v : NaN));
    const second = wave(60, 30);
    expect(checkTrainingTable(table({ a: first, b: second }), CHECK)?.message).toMatch(
      /^0 points in the visible range where every series of the model has a value \(the series do not have values at the same steps\)/
    );
  });

  it('refuses only a model whose every column is constant', () => {
    expect(checkTrainingTable(table({ errors: Array(50).fill(0) }), CHECK)).toEqual({
      kind: 'constant',
      message: 'errors does not change in the visible range: a constant series has no anomalies to find',
    });
    expect(checkTrainingTable(table({ cpu: wave(50), errors: Array(50).fill(0) }), CHECK)).toBeUndefined();
  });
});
