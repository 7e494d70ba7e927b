import { readMatrixAnswer } from '../src/upstreams/prometheusUpstream';

describe('readMatrixAnswer', () => {
  it('reads a series of native histograms as one without float samples, and the answer’s other series whole', () => {
    // Prometheus 2.40+ writes such a series with "histograms" instead of "values" (web/api/v1 jsonMatrix); the whole
    // answer was refused as a bad upstream answer, though Grafana shows the same query.
    const histogram = [1_700_000_000, { count: '3', sum: '1.5', buckets: [[0, '0', '1', '3']] }];
    const answer = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { __name__: 'latency', le: 'native' }, histograms: [histogram] },
          { metric: { __name__: 'cpu' }, values: [[1_700_000_000, '12.5']] },
          { metric: { __name__: 'mixed' }, values: [[1_700_000_060, '1']], histograms: [histogram] },
        ],
      },
    });
    expect(readMatrixAnswer(answer)).toEqual([
      { labels: { __name__: 'latency', le: 'native' }, timestamps: [], values: [] },
      { labels: { __name__: 'cpu' }, timestamps: [1_700_000_000_000], values: [12.5] },
      { labels: { __name__: 'mixed' }, timestamps: [1_700_000_060_000], values: [1] },
    ]);
  });

  it('still refuses an entry with neither', () => {
    const answer = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {} }] } });
    expect(readMatrixAnswer(answer)).toEqual({ badAnswer: 'a matrix entry lacks "metric" or "values"' });
  });
});
