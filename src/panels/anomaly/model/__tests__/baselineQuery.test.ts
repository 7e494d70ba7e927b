import { type DataQueryRequest, LoadingState, type PanelData, dateTime } from '@grafana/data';
import { type DataSourceSrv, setDataSourceSrv } from '@grafana/runtime';
import { queryBaseline } from '../baselineQuery';
import { TRAINING_QUERY_STEPS } from '../trainingQueryRanges';

const STEP = 30_000;
const FROM = Date.UTC(2024, 0, 1);

/** The panel's data as Grafana hands it over: its request carries the interval the panel's rows are on. */
function panelData(intervalMs: number): PanelData {
  return {
    state: LoadingState.Done,
    series: [],
    timeRange: { from: dateTime(FROM), to: dateTime(FROM + 6 * 3_600_000), raw: { from: 'now-6h', to: 'now' } },
    request: {
      requestId: 'Q1',
      targets: [{ refId: 'A', datasource: { uid: 'prom', type: 'prometheus' } }],
      interval: '30s',
      intervalMs,
      maxDataPoints: 720,
      scopedVars: {},
      timezone: 'Asia/Kolkata',
    } as unknown as DataQueryRequest,
  };
}

function recordingDataSource() {
  const requests: DataQueryRequest[] = [];
  setDataSourceSrv({
    get: async () => ({
      query: async (request: DataQueryRequest) => {
        requests.push(request);
        return { data: [{ name: `piece ${requests.length}`, fields: [], length: 0 }] };
      },
    }),
  } as unknown as DataSourceSrv);
  return requests;
}

describe('queryBaseline', () => {
  it("runs the panel's queries over the training range at the panel's own interval, in pieces the data source keeps it for", async () => {
    const requests = recordingDataSource();
    // A week at 30 s: 20 161 points, three pieces.
    const range = { from: FROM - 7 * 86_400_000, to: FROM };
    const frames = await queryBaseline(panelData(STEP), range, 720, STEP);

    expect(requests.map((r) => [r.range.from.valueOf(), r.range.to.valueOf()])).toEqual([
      [range.from, range.from + (TRAINING_QUERY_STEPS - 1) * STEP],
      [range.from + TRAINING_QUERY_STEPS * STEP, range.from + (2 * TRAINING_QUERY_STEPS - 1) * STEP],
      [range.from + 2 * TRAINING_QUERY_STEPS * STEP, range.to],
    ]);
    for (const request of requests) {
      expect([request.intervalMs, request.interval, request.maxDataPoints]).toEqual([
        STEP,
        '30s',
        TRAINING_QUERY_STEPS,
      ]);
      // In the dashboard's time zone (the tests run in UTC): Grafana aligns a query in its range's end's offset.
      expect(request.range.to.utcOffset()).toBe(330);
    }
    // The frames piece by piece: a series' identity is made unique within one frame set, not across pieces.
    expect(frames.map((piece) => piece.map((f) => f.name))).toEqual([['piece 1'], ['piece 2'], ['piece 3']]);
  });

  it('without a known interval, one query at the interval Grafana would choose for the range', async () => {
    const requests = recordingDataSource();
    await queryBaseline(panelData(0), { from: FROM - 86_400_000, to: FROM }, 1440, 0);
    expect(requests).toHaveLength(1);
    expect(requests[0].intervalMs).toBe(60_000);
  });
});
