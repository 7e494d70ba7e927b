import { type DataQueryRequest, type DataQueryResponse, LoadingState, type PanelData, dateTime } from '@grafana/data';
import { type DataSourceSrv, setDataSourceSrv } from '@grafana/runtime';
import { Observable, of } from 'rxjs';
import { queryBaseline, trainingFrames, trainingQueryGroups } from '../baselineQuery';
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

describe('training queries on the Mixed data source and with expressions (a host-contract review)', () => {
  const prom = { uid: 'prom', type: 'prometheus' };
  const influx = { uid: 'influx', type: 'influxdb' };
  const expr = { uid: '__expr__', type: '__expr__' };

  it('one request per data source and piece, each under an id of its own (backendSrv cancels a repeated id)', async () => {
    const requests: Array<{ uid: string; request: DataQueryRequest }> = [];
    setDataSourceSrv({
      get: async (ref: { uid: string }) => ({
        query: async (request: DataQueryRequest) => {
          requests.push({ uid: ref.uid, request });
          return { data: [] };
        },
      }),
    } as unknown as DataSourceSrv);
    const data = panelData(STEP);
    data.request!.targets = [
      { refId: 'A', datasource: prom },
      { refId: 'B', datasource: influx },
      { refId: 'C', datasource: prom, hide: true },
    ];
    await queryBaseline(data, { from: FROM - 2 * TRAINING_QUERY_STEPS * STEP, to: FROM }, 720, STEP);
    expect(requests.map(({ uid, request }) => [uid, request.targets.map((t) => t.refId)])).toEqual(
      expect.arrayContaining([
        ['prom', ['A']],
        ['influx', ['B']],
      ])
    );
    const ids = requests.map(({ request }) => request.requestId);
    expect(requests.length).toBe(6); // three pieces, two data sources
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('with an expression, all queries (hidden ones too) go together to the expression data source', () => {
    const targets = [
      { refId: 'A', datasource: prom, hide: true },
      { refId: 'B', datasource: expr },
      { refId: 'C', datasource: influx },
    ];
    expect(trainingQueryGroups(targets)).toEqual([{ datasource: expr, targets }]);
    expect(
      trainingQueryGroups([
        { refId: 'A', datasource: prom, hide: true },
        { refId: 'B', datasource: prom },
      ])
    ).toEqual([{ datasource: prom, targets: [{ refId: 'B', datasource: prom }] }]);
  });

  it("takes a live answer as it stands and unsubscribes (a Grafana Live channel's answer never completes)", async () => {
    let unsubscribed = false;
    const live = new Observable<DataQueryResponse>((subscriber) => {
      const frame = { name: 'first', fields: [], length: 0, meta: { channel: 'ds/prom/stream' } };
      subscriber.next({ data: [frame], state: LoadingState.Streaming });
      return () => (unsubscribed = true);
    });
    const frames = await trainingFrames(live);
    expect(frames.map((f) => f.name)).toEqual(['first']);
    expect(unsubscribed).toBe(true);
  });

  it("waits for a split query's last chunk: Loki sends every finished chunk as Streaming, the last one Done", async () => {
    // A review: the first Streaming chunk was taken, so a week's training range trained on one day.
    const frame = (name: string) => ({ name, fields: [], length: 0 });
    const chunks = of(
      { data: [frame('day 7')], state: LoadingState.Streaming },
      { data: [frame('day 7'), frame('day 6')], state: LoadingState.Streaming },
      { data: [frame('day 7'), frame('day 6'), frame('day 5')], state: LoadingState.Done }
    );
    expect((await trainingFrames(chunks)).map((f) => f.name)).toEqual(['day 7', 'day 6', 'day 5']);
  });

  it("keeps every key's latest answer (runRequest's merge) and fails on an error", async () => {
    const frame = (name: string) => ({ name, fields: [], length: 0 });
    const frames = await trainingFrames(
      of(
        { key: 'A', data: [frame('A partial')], state: LoadingState.Loading },
        { key: 'B', data: [frame('B')], state: LoadingState.Done },
        { key: 'A', data: [frame('A')], state: LoadingState.Done }
      )
    );
    expect(frames.map((f) => f.name).sort()).toEqual(['A', 'B']);
    await expect(trainingFrames(of({ data: [], errors: [{ message: 'bad query' }] }))).rejects.toThrow(
      'Training query failed: bad query'
    );
  });
});
