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
    // Under the title "The query failed": the detail says something else (a review: "The query failed." twice).
    expect(queryErrorText({ state: LoadingState.Error })).toBe(
      'The data source gave no message: the query inspector (panel menu → Inspect → Query) shows its answer.'
    );
  });

  it('says nothing when the queries did not fail', () => {
    expect(queryErrorText({ state: LoadingState.Done })).toBeUndefined();
    expect(queryErrorText({ state: LoadingState.Loading, errors: [] })).toBeUndefined();
  });
});
