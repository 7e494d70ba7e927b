import { queryAnswerJson } from '../src/http/queryAnswerJson';
import type { EvaluationResult } from '@telemetry-analyzer/query';

/** What the route sent before it wrote the JSON by hand: the generic serialisation of the same body. */
function generic(result: EvaluationResult): string {
  const body: Record<string, unknown> = {
    status: 'success',
    data: { resultType: result.resultType, result: result.result },
  };
  if (result.warnings.length > 0) {
    body.warnings = result.warnings;
  }
  return JSON.stringify(body);
}

describe('queryAnswerJson', () => {
  it('writes a matrix exactly as JSON.stringify does, whatever the labels and values', () => {
    const result: EvaluationResult = {
      resultType: 'matrix',
      result: [
        {
          metric: { instance: 'a "quoted" \\ host\n', job: 'nöde ✓', le: '' },
          values: [
            [1_700_000_000, '0.4312345678901234'],
            [1_700_000_000.5, '1'],
            [1_700_000_015.123, 'NaN'],
            [0.001, '+Inf'],
            [1e21, '-Inf'],
            [1_700_000_030, '1e-7'],
            [1_700_000_045, '-12345.5'],
          ],
        },
        { metric: {}, values: [] },
        { metric: { __name__: 'cpu' }, values: [[1_700_000_060, '0']] },
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
});
