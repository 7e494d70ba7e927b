import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { formatSampleValue, type EvaluationResult, type MatrixSeries } from '@telemetry-analyzer/query';
import { queryAnswerBody, queryAnswerJson, queryAnswerPieces, secondsText } from '../src/http/queryAnswerJson';

/** The answer as Prometheus' JSON has it, through the generic serialisation: `[seconds, "value"]` pairs. */
function generic(result: EvaluationResult): string {
  const series =
    result.resultType === 'matrix'
      ? result.result.map(({ metric, timestamps, values }) => ({
          metric,
          values: Array.from(timestamps, (ms, i) => [ms / 1000, formatSampleValue(values[i])]),
        }))
      : result.result;
  const body: Record<string, unknown> = { status: 'success', data: { resultType: result.resultType, result: series } };
  if (result.warnings.length > 0) {
    body.warnings = result.warnings;
  }
  return JSON.stringify(body);
}

const series = (metric: Record<string, string>, timestamps: number[], values: number[]): MatrixSeries => ({
  metric,
  timestamps: Float64Array.from(timestamps),
  values: Float64Array.from(values),
});

/** A generated matrix: `count` series of `length` samples on a step of `stepMs`, values cycling through `values`. */
function matrix(count: number, length: number, stepMs: number, values: number[]): EvaluationResult {
  return {
    resultType: 'matrix',
    result: Array.from({ length: count }, (_, s) =>
      series(
        { instance: `host-${s}` },
        Array.from({ length }, (_, i) => 1_700_000_000_000 + i * stepMs),
        Array.from({ length }, (_, i) => values[(i + s) % values.length])
      )
    ),
    warnings: ['w'],
  };
}

describe('queryAnswerJson', () => {
  it('writes a matrix exactly as JSON.stringify does, whatever the labels and values', () => {
    const result: EvaluationResult = {
      resultType: 'matrix',
      result: [
        series(
          { instance: 'a "quoted" \\ host\n', job: 'nöde ✓', le: '' },
          [1_700_000_000_000, 1_700_000_000_500, 1_700_000_015_123, 1, 1e24, 1_700_000_030_000, -1_500, 0.25],
          [0.4312345678901234, 1, NaN, Infinity, -Infinity, 1e-7, -12345.5, 0]
        ),
        series({}, [], []),
        series({ __name__: 'cpu' }, [1_700_000_060_000, 1_700_000_075_000, 1_700_000_090_000], [0, 0, NaN]),
      ],
      warnings: [],
    };
    expect(queryAnswerJson(result)).toBe(generic(result));
  });

  it('adds warnings, and writes an empty matrix', () => {
    const result: EvaluationResult = { resultType: 'matrix', result: [], warnings: ['no model for {a="1"}: "x"'] };
    expect(queryAnswerJson(result)).toBe(generic(result));
  });

  it('writes a vector as JSON.stringify does', () => {
    const result: EvaluationResult = {
      resultType: 'vector',
      result: [{ metric: { instance: 'b' }, value: [1_700_000_000.25, '0.5'] }],
      warnings: ['w'],
    };
    expect(queryAnswerJson(result)).toBe(generic(result));
  });

  it('writes seconds as String(ms / 1000) does, for whole and fractional milliseconds of any era', () => {
    const edges = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1_700_000_000_999, 1e14 - 1, 1e14, 8.64e15, -1, -1_000_001];
    const random = Array.from({ length: 20_000 }, (_, i) => {
      const ms = Math.floor(Math.random() * 10 ** (1 + (i % 15)));
      return i % 7 === 0 ? ms + Math.random() : ms;
    });
    for (const ms of [...edges, ...random]) {
      expect([ms, secondsText(ms)]).toEqual([ms, String(ms / 1000)]);
    }
  });

  it('splits a matrix into pieces of the given number of samples, which join to the whole', () => {
    const result = matrix(3, 1000, 15_000, [0.25, 0.5, 0.5, 0.5, 1, NaN]);
    const pieces = [...queryAnswerPieces(result, 128)];
    // 3 000 samples in pieces of 128: 23 full pieces and the rest.
    expect(pieces).toHaveLength(24);
    expect(pieces.join('')).toBe(generic(result));
  });

  it('sends a small answer as one string and a large one as a stream of the same text', async () => {
    const small = matrix(2, 10, 60_000, [0.5]);
    expect(queryAnswerBody(small, 20)).toBe(generic(small));
    const large = matrix(4, 5_000, 60_000, [0.125, 0.75, 0.5]);
    const body = queryAnswerBody(large, 1000);
    expect(body).toBeInstanceOf(Readable);
    expect(await text(body as Readable)).toBe(generic(large));
  });

  it('lets the event loop turn between the pieces of a large answer', async () => {
    const body = queryAnswerBody(matrix(1, 10_000, 1_000, [0.5, 0.25]), 1000) as Readable;
    // Counts the event loop's turns: one step per check phase.
    let turns = 0;
    let ticker = setImmediate(function tick() {
      turns++;
      ticker = setImmediate(tick);
    });
    const turnsAtPiece: number[] = [];
    for await (const _piece of body) {
      turnsAtPiece.push(turns);
    }
    clearImmediate(ticker);
    // Written in one go, every piece would arrive within one turn.
    expect(turnsAtPiece.length).toBeGreaterThanOrEqual(10);
    expect(turnsAtPiece[turnsAtPiece.length - 1] - turnsAtPiece[0]).toBeGreaterThanOrEqual(9);
  });
});
