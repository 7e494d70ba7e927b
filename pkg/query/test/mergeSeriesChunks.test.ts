/**
 * The series of a range fetched in several requests, merged into one per label set, and of an answer that lists a
 * label set twice (which Prometheus never does, an upstream in front of it might): one series either way, whatever
 * the range's length.
 */
import { mergeSeriesChunks, type Series } from '../src/upstreams/series';

const cpu = (host: string, timestamps: number[]): Series => ({
  labels: { __name__: 'cpu', host },
  timestamps: Float64Array.from(timestamps),
  values: Float64Array.from(timestamps, (t) => t / 10),
});

const plain = (series: Series[]) =>
  series.map(({ labels, timestamps, values }) => ({
    labels,
    timestamps: Array.from(timestamps),
    values: Array.from(values),
  }));

describe('mergeSeriesChunks', () => {
  it('keeps one answer of distinct series as it is (its arrays not copied)', () => {
    const answer = [cpu('a', [1, 2]), cpu('b', [1, 2])];
    const merged = mergeSeriesChunks([answer]);
    expect(merged[0].timestamps).toBe(answer[0].timestamps);
    expect(plain(merged)).toEqual(plain(answer));
  });

  it('merges a label set listed twice, in one answer as across answers: timestamps increasing, each once', () => {
    const expected = plain([cpu('a', [1, 2, 3, 4]), cpu('b', [1])]);
    expect(plain(mergeSeriesChunks([[cpu('a', [1, 2]), cpu('b', [1]), cpu('a', [2, 3, 4])]]))).toEqual(expected);
    expect(plain(mergeSeriesChunks([[cpu('a', [1, 2]), cpu('b', [1])], [cpu('a', [2, 3, 4])]]))).toEqual(expected);
  });

  it('takes of each later chunk only the samples after those merged, from JS arrays as from typed ones', () => {
    const asArrays = (series: Series): Series => ({
      ...series,
      timestamps: [...series.timestamps],
      values: [...series.values],
    });
    const chunks = [
      [asArrays(cpu('a', [1, 2, 3]))],
      [cpu('a', [1, 2])], // nothing after 3
      [cpu('a', [2, 3, 5, 8])],
      [asArrays(cpu('a', [8, 9])), cpu('b', [])],
    ];
    expect(plain(mergeSeriesChunks(chunks))).toEqual(plain([cpu('a', [1, 2, 3, 5, 8, 9]), cpu('b', [])]));
  });
});
