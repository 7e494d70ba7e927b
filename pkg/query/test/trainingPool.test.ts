import { AnomalyDetector, EngineInputError, ModelFormatError, type SeriesTable } from '@telemetry-analyzer/engine';
import { queryTimedOut } from '../src/query/cancellation';
import { scoreWithCache } from '../src/query/scoreCache';
import { engineOnEventLoop, TrainingPool } from '../src/training/trainingPool';
import type { AnswerReading } from '../src/upstreams/answerReading';

function table(n: number): SeriesTable {
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_700_000_000_000 + i * 60_000;
    values[i] = 10 + Math.sin(i / 9) + ((i * 37) % 11) / 10 + (i === 250 ? 9 : 0);
  }
  return { timestamps, columns: [{ name: 'cpu', values }] };
}

/** Typed arrays as plain arrays: those a worker sends come from another realm than jest's, so toEqual tells them apart. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));
}

const OPTIONS = {
  features: { window: 6, lags: 1, seasonality: false },
  forest: { nEstimators: 30, seed: 4, contamination: 0.02 },
  mode: 'multivariate' as const,
};

/**
 * A worker's series with their Float64Arrays (checked to be such, over SharedArrayBuffers: neither cloned as numbers
 * nor copied) as plain arrays: they are built in Node's realm, which jest's toEqual does not take for its own
 * Float64Array.
 */
function asArrays(reading: AnswerReading) {
  if (!Array.isArray(reading)) {
    return reading;
  }
  return reading.map(({ labels, timestamps, values }) => {
    const kinds = [timestamps, values].flatMap((array) => [array, (array as Float64Array).buffer]);
    expect(kinds.map((object) => Object.prototype.toString.call(object))).toEqual([
      '[object Float64Array]',
      '[object SharedArrayBuffer]',
      '[object Float64Array]',
      '[object SharedArrayBuffer]',
    ]);
    return { labels, timestamps: Array.from(timestamps), values: Array.from(values) };
  });
}

describe('TrainingPool', () => {
  let pool: TrainingPool;
  beforeEach(() => (pool = new TrainingPool(1)));
  afterEach(() => pool.close());

  it('trains on a worker thread exactly what training on the event loop gives, and the JSON form the store keeps', async () => {
    const inWorker = await pool.train(table(300), OPTIONS, true);
    const here = AnomalyDetector.train(table(300), OPTIONS);
    const scores = (detector: AnomalyDetector) => Array.from(detector.score(table(300))[0].scores);
    expect(scores(AnomalyDetector.fromTransfer(inWorker.transfer))).toEqual(scores(here));
    expect(scores(AnomalyDetector.fromJSON(inWorker.saved))).toEqual(scores(here));
    expect((await pool.train(table(300), OPTIONS, false)).saved).toBeUndefined();
  });

  it('scores a unit on a worker thread exactly as on the event loop: scores, score cache and answer samples', async () => {
    const { transfer } = await pool.train(table(300), OPTIONS, false);
    const previous = scoreWithCache(AnomalyDetector.fromTransfer(transfer), table(280), undefined).scored;
    const job = {
      detector: transfer,
      table: table(300),
      previous,
      fn: 'anomaly_flag' as const,
      scoreStartMs: table(300).timestamps[200],
      scoreEndMs: table(300).timestamps[299],
    };
    const inWorker = await pool.score(job);
    const here = await engineOnEventLoop.score(job);
    expect(plain(inWorker)).toEqual(plain(here));
    expect(inWorker.rowsFromCache).toBeGreaterThan(0); // the score cache travelled with the job
    expect(inWorker.samples.timestamps.length).toBe(100);
    expect(inWorker.flagged.flagged).toBeGreaterThan(0); // the spike at row 250
  });

  it('decodes a stored model on a worker thread, and passes a broken one on as a ModelFormatError', async () => {
    const detector = AnomalyDetector.train(table(300), OPTIONS);
    const decoded = await pool.decode(JSON.parse(JSON.stringify(detector.toJSON())));
    expect(AnomalyDetector.fromTransfer(decoded).score(table(300))).toEqual(detector.score(table(300)));
    await expect(pool.decode({ kind: 'something-else' })).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('scores an online=true unit on a worker thread exactly as on the event loop', async () => {
    const rows = table(600);
    const job = {
      table: rows,
      options: OPTIONS,
      trainingEndMs: rows.timestamps[400],
      fn: 'anomaly_score' as const,
      scoreStartMs: rows.timestamps[400],
      scoreEndMs: rows.timestamps[599],
    };
    const inWorker = await pool.scoreOnline(job);
    expect(plain(inWorker)).toEqual(plain(await engineOnEventLoop.scoreOnline(job)));
    expect(typeof inWorker !== 'string' && inWorker.rowsScored).toBe(200);
  });

  it('reads a Prometheus answer on a worker thread: its series, or what is wrong with it (not parsed again)', async () => {
    const body = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { __name__: 'cpu' },
            values: [
              [1.5, '2'],
              [2.5, '+Inf'],
            ],
          },
        ],
      },
    });
    // Timestamps and values come back as Float64Arrays over shared memory (a structured clone of millions of JS
    // numbers took ~1 s of the event loop).
    const read = [{ labels: { __name__: 'cpu' }, timestamps: [1500, 2500], values: [2, Infinity] }];
    expect(asArrays(await pool.parseMatrix(body))).toEqual(read);
    // The answer as the chunks read: handed to the worker (their buffers transferred), joined and decoded there.
    const bytes = Buffer.from(body);
    const chunks = [bytes.subarray(0, 7), new Uint8Array(bytes.subarray(7, 40)), new Uint8Array(bytes.subarray(40))];
    expect(asArrays(await pool.parseMatrix(chunks))).toEqual(read);
    expect(chunks[1].byteLength).toBe(0); // its own buffer: transferred (detached here)
    expect(chunks[0].byteLength).toBe(7); // a view into a larger buffer: copied, left as it was
    expect(await pool.parseMatrix('{"status":"error","errorType":"bad_data","error":"x"}')).toEqual({ passOn: true });
    expect(
      await pool.parseMatrix('{"status":"success","data":{"resultType":"matrix","result":[{"values":[]}]}}')
    ).toEqual({ badAnswer: 'a matrix entry lacks "metric" or "values"' });
    expect(await pool.parseMatrix('<html>')).toEqual({ badAnswer: 'the body is not JSON' });
    // A label value that is not a string is nonsense, not a label.
    expect(
      await pool.parseMatrix(
        '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":{}},"values":[]}]}}'
      )
    ).toEqual({ badAnswer: 'a label value is not a string' });
  });

  it('reads an InfluxDB answer on a worker thread: its series, its error, a clash or nonsense', async () => {
    const series = (columns: string[], values: unknown[][], tags: Record<string, unknown> = { host: 'a' }) =>
      JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'cpu', tags, columns, values }] }] });
    const usage = series(
      ['time', 'usage'],
      [
        [1000, 2],
        [2000, null],
      ]
    );
    expect(asArrays(await pool.parseMatrix(usage, 'influx'))).toEqual([
      { labels: { host: 'a', __name__: 'cpu_usage' }, timestamps: [1000], values: [2] },
    ]);
    expect(await pool.parseMatrix('{"error":"database not found"}', 'influx')).toEqual({
      execution: 'database not found',
    });
    expect(await pool.parseMatrix('{"results":[{"statement_id":0,"error":"x"}]}', 'influx')).toEqual({
      execution: 'x',
    });
    expect(await pool.parseMatrix(series(['time', 'x.y', 'x_y'], [[1000, 1, 2]]), 'influx')).toEqual({
      execution: expect.stringMatching(/^column "x\.y" of "cpu" and column "x_y" of "cpu" both become the series/),
    });
    expect(await pool.parseMatrix(series(['time', 'usage'], [[1000, 1]], { host: 7 }), 'influx')).toEqual({
      badAnswer: 'a tag value is not a string',
    });
    expect(await pool.parseMatrix(series(['time', 'usage'], [null]), 'influx')).toEqual({
      badAnswer: 'a time value is not epoch milliseconds',
    });
    // A Prometheus answer is not an InfluxDB one.
    expect(await pool.parseMatrix('{"status":"success","data":{"resultType":"matrix","result":[]}}', 'influx')).toEqual(
      { badAnswer: 'HTTP 200 without "results"' }
    );
  });

  it("passes the engine's refusal of the data on as an EngineInputError", async () => {
    await expect(pool.train(table(3), OPTIONS, false)).rejects.toBeInstanceOf(EngineInputError);
  });

  it('stops a running training whose signal aborts (its worker is terminated) and trains the next job', async () => {
    const heavy = { ...OPTIONS, forest: { nEstimators: 10_000, seed: 1 } };
    const controller = new AbortController();
    const running = pool.train(table(20_000), heavy, false, controller.signal);
    const next = pool.train(table(300), OPTIONS, false);
    const timedOut = queryTimedOut(1000);
    controller.abort(timedOut);
    await expect(running).rejects.toBe(timedOut);
    await expect(next).resolves.toHaveProperty('transfer');
  });
});
