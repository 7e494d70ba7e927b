/**
 * resumePoint against a real HTTP read-back answering the Prometheus query API: the newest written sample and the
 * series behind it, for a shard of many written series.
 */
import { createServer, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UpstreamHttp, labelsKey, type UpstreamConfig } from '@telemetry-analyzer/query';
import type { JobConfig, RemoteWriteConfig } from '../src/config';
import { resumePoint } from '../src/resume';

const NOW_S = 1_700_000_000;

/** A read-back answering the Prometheus query API: `answer` gives the JSON for each query, which are kept. */
async function queryApi(
  answer: (query: string) => string
): Promise<{ upstream: UpstreamHttp; server: Server; queries: string[] }> {
  const queries: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const query = new URLSearchParams(body).get('query') ?? '';
      queries.push(query);
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer(query));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const upstream = { name: 'vm', type: 'prometheus', url: `http://127.0.0.1:${port}`, timeoutMs: 30_000, auth: {} };
  return { upstream: new UpstreamHttp(upstream as unknown as UpstreamConfig, () => undefined), server, queries };
}

/**
 * A read-back answering the score metric's last-sample query with `series` written series (series 0 the newest),
 * and nothing for the other metrics, as Prometheus answers `max_over_time(timestamp(m)[w:r])`: a vector without
 * `__name__`, the sample's time as the value.
 */
function readBack(series: number): ReturnType<typeof queryApi> {
  const parts: string[] = [];
  for (let i = 0; i < series; i++) {
    const t = i === 0 ? NOW_S : i === 1 ? NOW_S - 60 : NOW_S - 120;
    parts.push(`{"metric":{"job":"j","host":"h${i}"},"value":[${NOW_S + 60},"${t}.25"]}`);
  }
  const scores = `{"status":"success","data":{"resultType":"vector","result":[${parts.join(',')}]}}`;
  const none = '{"status":"success","data":{"resultType":"vector","result":[]}}';
  return queryApi((query) => (query.includes('timestamp(anomaly_score{') ? scores : none));
}

const job = {
  name: 'j',
  schedule: { inferEveryMs: 60_000, fitEveryMs: 3_600_000 },
  output: { score: 'anomaly_score', flag: 'anomaly_flag', threshold: 'anomaly_threshold', jobLabel: 'job' },
} as unknown as JobConfig;
const remoteWrite = { externalLabels: {}, resumeLookbackMs: 7 * 86_400_000 } as unknown as RemoteWriteConfig;

/** A written series' unit: its input labels (here the host), without the written metric's name. */
const hostOf = (written: Record<string, string>) => ({ host: written.host });

describe('resumePoint', () => {
  it('a shard of more written series than a call can take arguments (200 000): the newest and those behind', async () => {
    const { upstream, server, queries } = await readBack(200_000);
    try {
      const point = await resumePoint(upstream, remoteWrite, job, { index: 0, count: 1 }, hostOf, NOW_S * 1000);
      expect(point.newestMs).toBe(NOW_S * 1000 + 250);
      expect(point.behind.size).toBe(199_999);
      const key = labelsKey({ __name__: 'anomaly_score', job: 'j', host: 'h1' });
      expect(point.behind.get(key)).toBe((NOW_S - 60) * 1000 + 250);
      // One value per series and metric, over the first window (10 x infer_every, at least 1 h) before now and as
      // much after it (what a clock ahead wrote), plus the 40 s from now + 1 h (NOW_S is 20 s past a minute) to the
      // evaluation time, aligned to the 60 s step. No flag or threshold was written for these scores: they are looked
      // for further back (x8 each time) up to resumeLookback (7 d), and the first window after now.
      expect(queries).toEqual([
        ...['anomaly_score', 'anomaly_flag', 'anomaly_threshold'].map(
          (name) => `max_over_time(timestamp(${name}{job="j"})[7240s:60s])`
        ),
        ...['32500s:135s', '234160s:240s', '608560s:240s'].flatMap((range) =>
          ['anomaly_flag', 'anomaly_threshold'].map((name) => `max_over_time(timestamp(${name}{job="j"})[${range}])`)
        ),
      ]);
    } finally {
      server.close();
    }
  });

  it("resumes a live unit's output that a cut write left hours behind its others; a unit all of whose outputs stopped ended", async () => {
    const at = (hoursAgo: number) => NOW_S - hoursAgo * 3600;
    // h0: score now, flag 3 h behind. h1: score and flag now, threshold 3 h behind. h2: everything 3 h back (ended).
    const lastSamples: Record<string, Array<[string, number]>> = {
      anomaly_score: [
        ['h0', at(0)],
        ['h1', at(0)],
        ['h2', at(3)],
      ],
      anomaly_flag: [
        ['h0', at(3)],
        ['h1', at(0)],
        ['h2', at(3)],
      ],
      anomaly_threshold: [
        ['h0', at(0)],
        ['h1', at(3)],
        ['h2', at(3)],
      ],
    };
    const { upstream, server } = await queryApi((query) => {
      const name = /timestamp\((\w+)\{/.exec(query)![1];
      // Only within the window asked for: the first (1 h) finds h0 and h1, not what is 3 h old.
      const windowS = Number(/\[(\d+)s:/.exec(query)![1]);
      const result = lastSamples[name]
        .filter(([, t]) => t >= NOW_S + 40 - windowS)
        .map(([host, t]) => ({ metric: { job: 'j', host }, value: [NOW_S + 40, `${t}`] }));
      return JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
    });
    try {
      const point = await resumePoint(upstream, remoteWrite, job, { index: 0, count: 1 }, hostOf, NOW_S * 1000);
      expect(point.newestMs).toBe(at(0) * 1000);
      // h0's flag and h1's threshold are outside the first window (1 h): looked for further back, they resume from
      // their own last samples. h2's outputs all stopped 3 h back: it ended, nothing of it is behind.
      const key = (name: string, host: string) => labelsKey({ __name__: name, job: 'j', host });
      expect(point.behind).toEqual(
        new Map([
          [key('anomaly_flag', 'h0'), at(3) * 1000],
          [key('anomaly_threshold', 'h1'), at(3) * 1000],
        ])
      );
    } finally {
      server.close();
    }
  });
});
