import { OnlineDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { scoreOnline } from '../onlineScore';

const MINUTE = 60_000;
const options = { forest: { nEstimators: 20, seed: 3, contamination: 0.02 }, mode: 'multivariate' as const };

function table(from: number, rows: number, spikeAt = -1): SeriesTable {
  const timestamps = Float64Array.from({ length: rows }, (_, i) => (from + i) * MINUTE);
  const values = Float64Array.from(timestamps, (t) => {
    const i = t / MINUTE;
    return 50 + 5 * Math.sin(i / 30) + ((i * 13) % 7) + (i === spikeAt ? 80 : 0);
  });
  return { timestamps, columns: [{ name: 'cpu', values }] };
}

const noPause = async () => {};

describe('scoreOnline (the panel in online mode)', () => {
  it('scores the visible rows exactly as the engine scores training + visible rows online', async () => {
    const training = table(0, 600);
    const visible = table(600, 400, 800);
    const { scored } = await scoreOnline(visible, training, options, noPause);
    const reference = new OnlineDetector(['cpu'], options, { warmup: 600 }).push(table(0, 1000, 800));
    expect(scored.rows).toHaveLength(400);
    scored.rows.forEach((row, i) => {
      expect(scored.scores[i]).toBe(reference.scores[600 + row]);
      expect(scored.flags[i]).toBe(reference.isAnomaly[600 + row]);
    });
    expect(scored.scores[200]).toBeGreaterThan(0.5); // the spike at minute 800 is a record
  });

  it('leaves out training rows that overlap the visible range and rows with a missing value', async () => {
    const training = table(0, 700); // overlaps the visible range's first 100 minutes
    const visible = table(600, 400);
    visible.columns[0].values[10] = NaN;
    const { scored } = await scoreOnline(visible, training, options, noPause);
    expect(scored.rows).toHaveLength(399);
    expect(Array.from(scored.rows)).not.toContain(10);
  });

  it('without a training range, warms up on the first 30 % of the visible rows', async () => {
    const { scored } = await scoreOnline(table(0, 1000), undefined, options, noPause);
    expect(scored.rows[0]).toBe(300);
    expect(scored.rows).toHaveLength(700);
  });
});
