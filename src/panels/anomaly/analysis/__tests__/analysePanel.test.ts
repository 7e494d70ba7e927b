import { type DataFrame, FieldType, dateTime, dateTimeForTimeZone } from '@grafana/data';
import { trainingQueryRanges } from '../../model/trainingQueryRanges';
import { withDefaults } from '../../options/defaults';
import { MainThreadScorer } from '../../worker/scorer';
import { analysePanel } from '../analysePanel';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// 10:17 on some day: off the hour.
const FROM = Date.UTC(2024, 0, 10, 10, 17);
const TO = FROM + 4 * HOUR;

/** The series as a Prometheus query returns it over [from, to] at one minute (both ends included). */
function cpuFrame(from: number, to: number): DataFrame {
  const times: number[] = [];
  for (let t = Math.ceil(from / MINUTE) * MINUTE; t <= to; t += MINUTE) {
    times.push(t);
  }
  return {
    refId: 'A',
    length: times.length,
    fields: [
      { name: 'Time', type: FieldType.time, values: times, config: {} },
      {
        name: 'Value',
        type: FieldType.number,
        values: times.map((t) => 50 + 10 * Math.sin(t / (7 * MINUTE)) + ((t / MINUTE) % 5)),
        labels: { __name__: 'cpu' },
        config: {},
      },
    ],
  };
}

describe('analysePanel with a training range of previous days', () => {
  it('trains on every piece of the training query, joined: the newest rows included, none before the window', async () => {
    // A week at one minute: 10 080 rows, fetched in two pieces, each holding the series under the same identity.
    const scorer = new MainThreadScorer('test');
    const analyse = jest.spyOn(scorer, 'analyse');
    const fetched: Array<{ from: number; to: number }> = [];
    const analysis = await analysePanel({
      frames: [cpuFrame(FROM, TO)],
      options: withDefaults({ trees: 20, training: { kind: 'previous', previousDays: 7 } }),
      visibleRange: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-4h', to: 'now' } },
      scorer,
      columns: 400,
      intervalMs: MINUTE,
      pause: () => Promise.resolve(),
      isStale: () => false,
      fetchFrames: async (range, stepMs) => {
        fetched.push(range);
        // A first piece that begins before the window (Grafana rounds a start down to the step), the rest as asked.
        return trainingQueryRanges(range, stepMs).map((piece, i) => [
          cpuFrame(piece.from - (i === 0 ? 30 * MINUTE : 0), piece.to),
        ]);
      },
    });
    expect(analysis.status).toBe('done');
    // Batch: the window ends on the hour before the first point's feature history (10:17 - 15 min: 10:00).
    const end = Date.UTC(2024, 0, 10, 10);
    expect(fetched).toEqual([{ from: end - 7 * 24 * HOUR, to: end }]);
    const training = analyse.mock.calls[0][0].models[0].training![0];
    const times = Array.from(training.times).filter((t) => !Number.isNaN(t));
    expect(times).toHaveLength(7 * 24 * 60 + 1);
    expect([Math.min(...times), Math.max(...times)]).toEqual([end - 7 * 24 * HOUR, end]);
  });

  it("reads the window from the visible query's start as Grafana aligns it, in the dashboard's UTC offset", async () => {
    // A 1-hour step on a Kolkata dashboard (UTC+5:30): Grafana starts the query at 09:30 UTC for a range from 10:17,
    // so the online window ends on the hour at or before 09:30: 09:00.
    const frame = cpuFrame(FROM, TO);
    frame.fields[0].config = { interval: HOUR };
    const fetched: Array<{ from: number; to: number }> = [];
    await analysePanel({
      frames: [frame],
      options: withDefaults({ trees: 20, online: true, training: { kind: 'previous', previousDays: 1 } }),
      visibleRange: {
        from: dateTimeForTimeZone('Asia/Kolkata', FROM),
        to: dateTimeForTimeZone('Asia/Kolkata', TO),
        raw: { from: 'now-4h', to: 'now' },
      },
      scorer: new MainThreadScorer('test'),
      columns: 400,
      intervalMs: HOUR,
      pause: () => Promise.resolve(),
      isStale: () => false,
      fetchFrames: async (range) => {
        fetched.push(range);
        return [[]];
      },
    });
    expect(fetched).toEqual([{ from: Date.UTC(2024, 0, 10, 9) - 24 * HOUR, to: Date.UTC(2024, 0, 10, 9, 30) }]);
  });

  it("keeps the query's first row that Grafana rounded down to a step wider than the interval (a Min step)", async () => {
    // Min step 5 min, interval 30 s, a range from 10:04: Grafana's query starts at 10:00, before the range.
    const from = Date.UTC(2024, 0, 10, 10, 4);
    const times = Array.from({ length: 48 }, (_, i) => Date.UTC(2024, 0, 10, 10) + i * 5 * MINUTE);
    const frame: DataFrame = {
      refId: 'A',
      length: times.length,
      fields: [
        { name: 'Time', type: FieldType.time, values: times, config: { interval: 5 * MINUTE } },
        { name: 'Value', type: FieldType.number, values: times.map((_, i) => 50 + (i % 7)), config: {} },
      ],
    };
    const analysis = await analysePanel({
      frames: [frame],
      options: withDefaults({ trees: 20 }),
      visibleRange: { from: dateTime(from), to: dateTime(times[times.length - 1]), raw: { from: 'now-4h', to: 'now' } },
      scorer: new MainThreadScorer('test'),
      columns: 400,
      intervalMs: 30_000,
      pause: () => Promise.resolve(),
      isStale: () => false,
      fetchFrames: () => Promise.reject(new Error('not used')),
    });
    expect(analysis.status === 'done' && analysis.outsideRange).toBe(0);
  });
});
