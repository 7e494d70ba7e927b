import { QueryParseError, UpstreamPassThroughError } from '../src/errors';
import { placedParseError } from '../src/query/placedParseError';

/** Prometheus' 400 answer with this error message. */
const prometheusError = (error: string) =>
  new UpstreamPassThroughError(
    400,
    'application/json',
    JSON.stringify({ status: 'error', errorType: 'bad_data', error })
  );

describe('placedParseError', () => {
  it("places Prometheus' line:column in the wrapped expression at its char in the client's query", () => {
    const query = 'anomaly_score(rate(m), train="1d")';
    const placed = placedParseError(
      prometheusError('1:1: parse error: expected type range vector in call to function "rate", got instant vector'),
      'rate(m)',
      query.indexOf('rate')
    );
    expect(placed).toBeInstanceOf(QueryParseError);
    expect((placed as QueryParseError).message).toBe(
      'parse error at char 14: expected type range vector in call to function "rate", got instant vector'
    );
  });

  it('counts lines, and columns in UTF-8 bytes as Prometheus does', () => {
    const expression = 'sum(\n  m{a="é"} +\n  foo bar)';
    const query = `anomaly_score(${expression})`;
    const placed = placedParseError(
      prometheusError('invalid parameter "query": 3:7: parse error: unexpected identifier "bar"'),
      expression,
      query.indexOf('sum')
    ) as QueryParseError;
    expect(placed.position).toBe(query.indexOf('bar'));
    // A column after a two-byte char on its line.
    const after = placedParseError(prometheusError('2:13: parse error: x'), expression, 0) as QueryParseError;
    expect(expression[after.position]).toBe('+');
  });

  it('leaves other errors, and positions outside the expression, as they are', () => {
    const execution = new UpstreamPassThroughError(422, 'application/json', '{"status":"error","error":"x"}');
    expect(placedParseError(execution, 'm', 0)).toBe(execution);
    const notJson = new UpstreamPassThroughError(400, 'text/plain', 'bad');
    expect(placedParseError(notJson, 'm', 0)).toBe(notJson);
    const beyond = prometheusError('4:1: parse error: x');
    expect(placedParseError(beyond, 'm\nn', 0)).toBe(beyond);
    const other = new Error('unreachable');
    expect(placedParseError(other, 'm', 0)).toBe(other);
  });
});
