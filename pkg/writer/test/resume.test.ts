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

/**
 * A read-back answering the score metric's last-sample query with `series` written series (series 0 the newest),
 * and nothing for the other metrics, as Prometheus answers `max_over_time(timestamp(m)[w:r])`: a vector without
 * `__name__`, the sample's time as the value.
 */
async function readBack(series: number): Promise<{ upstream: UpstreamHttp; server: Server; queries: string[] }> {
  const parts: string[] = [];
  for (let i = 0; i < series; i++) {
    const t = i === 0 ? NOW_S : i === 1 ? NOW_S - 60 : NOW_S - 120;
    parts.push(`{"metric":{"job":"j","host":"h${i}"},"value":[${NOW_S + 60},"${t}.25"]}`);
  }
  const scores = `{"status":"success","data":{"resultType":"vector","result":[${parts.join(',')}]}}`;
  const none = '{"status":"success","data":{"resultType":"vector","result":[]}}';
  const queries: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const query = new URLSearchParams(body).get('query') ?? '';
      queries.push(query);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(query.includes('timestamp(anomaly_score{') ? scores : none);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const upstream = { name: 'vm', type: 'prometheus', url: `http://127.0.0.1:${port}`, timeoutMs: 30_000, auth: {} };
  return { upstream: new UpstreamHttp(upstream as unknown as UpstreamConfig, () => undefined), server, queries };
}

const job = {
  name: 'j',
  schedule: { inferEveryMs: 60_000 },
  output: { score: 'anomaly_score', flag: 'anomaly_flag', threshold: 'anomaly_threshold', jobLabel: 'job' },
} as unknown as JobConfig;
const remoteWrite = { externalLabels: {}, resumeLookbackMs: 7 * 86_400_000 } as unknown as RemoteWriteConfig;

describe('resumePoint', () => {
  it('a shard of more written series than a call can take arguments (200 000): the newest and those behind', async () => {
    const { upstream, server, queries } = await readBack(200_000);
    try {
      const point = await resumePoint(upstream, remoteWrite, job, { index: 0, count: 1 }, (l) => l, NOW_S * 1000);
      expect(point.newestMs).toBe(NOW_S * 1000 + 250);
      expect(point.behind.size).toBe(199_999);
      const key = labelsKey({ __name__: 'anomaly_score', job: 'j', host: 'h1' });
      expect(point.behind.get(key)).toBe((NOW_S - 60) * 1000 + 250);
      // One value per series and metric, over the first window (10 x infer_every, at least 1 h) plus the 40 s from
      // now (NOW_S is 20 s past a minute) to the evaluation time, aligned to the 60 s step.
      expect(queries).toEqual(
        ['anomaly_score', 'anomaly_flag', 'anomaly_threshold'].map(
          (name) => `max_over_time(timestamp(${name}{job="j"})[3640s:60s])`
        )
      );
    } finally {
      server.close();
    }
  });
});
