import { LoadingState } from '@grafana/data';
import { queryErrorText } from '../queryErrors';

describe('queryErrorText', () => {
  it("says each failed query's message, with its query when several failed", () => {
    expect(
      queryErrorText({
        state: LoadingState.Error,
        errors: [
          { refId: 'A', message: 'bad_data: parse error' },
          { refId: 'B', data: { message: 'timeout' } },
        ],
      })
    ).toBe('A: bad_data: parse error\nB: timeout');
    expect(queryErrorText({ state: LoadingState.Error, errors: [{ refId: 'A', message: 'upstream 502' }] })).toBe(
      'upstream 502'
    );
    expect(queryErrorText({ state: LoadingState.Error })).toBe('The query failed.');
  });

  it('says nothing when the queries did not fail', () => {
    expect(queryErrorText({ state: LoadingState.Done })).toBeUndefined();
    expect(queryErrorText({ state: LoadingState.Loading, errors: [] })).toBeUndefined();
  });
});
