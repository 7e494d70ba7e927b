/**
 * The remote-write client against a real HTTP receiver on 127.0.0.1 that decodes what it gets (snappy + protobuf)
 * and answers with the status the test scripts: retries on 5xx and 429, none on 400, a bounded queue that waits for
 * room while the target takes what is sent and drops (counted) while it fails, and nothing sent twice once accepted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RemoteWriteClient, RemoteWriteEvents, WriteSeries, decodeWriteRequest } from '../src';
import { MAX_RETRY_AFTER_MS, retryAfterDelayMs } from '../src/remoteWrite/remoteWriteClient';

interface Received {
  headers: IncomingMessage['headers'];
  series: WriteSeries[];
}

async function receiver(
  statuses: number[],
  headers: Record<number, Record<string, string>> = {}
): Promise<{ url: string; received: Received[]; answered: number[]; server: Server }> {
  const received: Received[] = [];
  const answered: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const status = statuses.shift() ?? 204;
      answered.push(status);
      if (status < 300) {
        received.push({ headers: request.headers, series: decodeWriteRequest(Buffer.concat(chunks)) });
      }
      response.writeHead(status, headers[status] ?? {}).end(status < 300 ? '' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return { url, received, answered, server };
}

function recorder() {
  const counts = { sent: 0, rejected: 0, retries: 0, dropped: { queue_full: 0, shutdown: 0 } };
  /** The wait before each retry, as the client chose it (ms). */
  const delays: number[] = [];
  const events: RemoteWriteEvents = {
    onSent: (n) => (counts.sent += n),
    onRejected: (n) => (counts.rejected += n),
    onRetry: (_status, _reason, delayMs) => {
      counts.retries++;
      delays.push(delayMs);
    },
    onDropped: (n, reason) => (counts.dropped[reason] += n),
    onQueueChange: () => undefined,
  };
  return { counts, events, delays };
}

function series(name: string, from: number, count: number) {
  return {
    labels: [
      { name: '__name__', value: 'anomaly_score' },
      { name: 'host', value: name },
    ],
    timestamps: Array.from({ length: count }, (_, i) => from + i * 60_000),
    values: Array.from({ length: count }, (_, i) => i / 10),
  };
}

const settings = (url: string, queueSamples = 1000) => ({
  url,
  timeoutMs: 5_000,
  auth: { bearer: { token: 't0k' } },
  batchSamples: 7,
  queueSamples,
  minBackoffMs: 10,
  maxBackoffMs: 50,
});

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

describe('RemoteWriteClient', () => {
  it('sends protobuf + snappy with the remote write 1.0 headers, in batches, every sample once and in order', async () => {
    const target = await receiver([]);
    servers.push(target.server);
    const { counts, events } = recorder();
    const client = new RemoteWriteClient(settings(target.url), events);
    await client.enqueue([series('a', 0, 10), series('b', 0, 5)], false);
    await client.flush();
    expect(counts.sent).toBe(15);
    expect(target.received.length).toBe(3); // 15 samples in batches of 7
    const headers = target.received[0].headers;
    expect(headers['content-encoding']).toBe('snappy');
    expect(headers['content-type']).toBe('application/x-protobuf');
    expect(headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(headers.authorization).toBe('Bearer t0k');
    const samples = target.received.flatMap((r) =>
      r.series.flatMap((s) => s.samples.map((x) => `${s.labels[1].value}@${x.timestamp}=${x.value}`))
    );
    expect(samples).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `a@${i * 60_000}=${i / 10}`),
      ...Array.from({ length: 5 }, (_, i) => `b@${i * 60_000}=${i / 10}`),
    ]);
  });

  it('retries 5xx and 429 with backoff until accepted, and does not retry a 400', async () => {
    const target = await receiver([503, 429, 500, 204, 400]);
    servers.push(target.server);
    const { counts, events, delays } = recorder();
    const client = new RemoteWriteClient(settings(target.url), events);
    await client.enqueue([series('a', 0, 7)], false);
    await client.flush();
    expect(target.answered).toEqual([503, 429, 500, 204]);
    expect(counts).toMatchObject({ sent: 7, retries: 3, rejected: 0 });
    await client.enqueue([series('b', 0, 3)], false);
    await client.flush();
    expect(target.answered).toEqual([503, 429, 500, 204, 400]);
    expect(counts).toMatchObject({ sent: 7, retries: 3, rejected: 3 });
    expect(target.received.map((r) => r.series[0].labels[1].value)).toEqual(['a']);
    // Backoff: each retry waits twice the one before, from minBackoff (10 ms).
    expect(delays).toEqual([10, 20, 40]);
  });

  it('does not retry a 5xx that says the samples are too old (Prometheus 2.42 beyond its out-of-order window)', async () => {
    const target = await receiver([500]);
    servers.push(target.server);
    target.server.removeAllListeners('request');
    target.server.on('request', (request, response) => {
      target.answered.push(500);
      request.resume().on('end', () => response.writeHead(500).end('too old sample'));
    });
    const { counts, events } = recorder();
    const client = new RemoteWriteClient(settings(target.url), events);
    await client.enqueue([series('a', 0, 3)], false);
    await client.flush();
    expect(target.answered).toEqual([500]);
    expect(counts).toMatchObject({ sent: 0, retries: 0, rejected: 3 });
  });

  it("waits a 429's whole Retry-After before retrying, beyond maxBackoff, as Prometheus does", async () => {
    const target = await receiver([429, 204], { 429: { 'retry-after': '1' } });
    servers.push(target.server);
    const { counts, events, delays } = recorder();
    const client = new RemoteWriteClient({ ...settings(target.url), maxBackoffMs: 300 }, events);
    await client.enqueue([series('a', 0, 3)], false);
    await client.flush();
    expect(target.answered).toEqual([429, 204]);
    expect(counts).toMatchObject({ sent: 3, retries: 1 });
    expect(delays).toEqual([1_000]); // Retry-After: 1 s, not minBackoff's 10 ms
  });

  it('reads Retry-After as seconds or as an HTTP date, and falls back to the backoff for anything else', () => {
    const now = Date.parse('2026-12-05T01:00:00Z');
    expect(retryAfterDelayMs('120', now)).toBe(120_000);
    expect(retryAfterDelayMs('Sat, 05 Dec 2026 01:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterDelayMs('86400', now)).toBe(MAX_RETRY_AFTER_MS); // a day: an hour at most
    for (const none of [null, '', '0', '-5', '1.5', 'soon', 'Sat, 05 Dec 2026 00:59:00 GMT']) {
      expect(retryAfterDelayMs(none, now)).toBeUndefined();
    }
  });

  it('keeps what fits the queue while the target is down, drops and counts the rest, and delivers the kept samples', async () => {
    const target = await receiver([503, 503, 503]);
    servers.push(target.server);
    const { counts, events } = recorder();
    const client = new RemoteWriteClient(settings(target.url, 20), events);
    const dropped = await client.enqueue([series('a', 0, 12), series('b', 0, 12)], true);
    expect(dropped).toBe(4);
    await client.flush();
    expect(counts.dropped.queue_full).toBe(4);
    expect(counts.sent).toBe(20);
    const delivered = target.received.flatMap((r) => r.series).reduce((n, s) => n + s.samples.length, 0);
    expect(delivered).toBe(20);
  });

  it('waits for room instead of dropping while the target takes what is sent (a backfill larger than the queue)', async () => {
    const target = await receiver([]);
    servers.push(target.server);
    const { counts, events } = recorder();
    let mostPending = 0;
    const client = new RemoteWriteClient(settings(target.url, 20), {
      ...events,
      onQueueChange: (pending) => (mostPending = Math.max(mostPending, pending)),
    });
    // 60 samples through a queue of 20, live (drop while failing) and not: the target never fails, nothing drops.
    expect(await client.enqueue([series('a', 0, 25), series('b', 0, 5)], true)).toBe(0);
    expect(await client.enqueue([series('c', 0, 30)], false)).toBe(0);
    await client.flush();
    expect(counts.dropped.queue_full).toBe(0);
    expect(counts.sent).toBe(60);
    expect(mostPending).toBeLessThanOrEqual(20);
    const samples = target.received.flatMap((r) =>
      r.series.flatMap((s) => s.samples.map((x) => `${s.labels[1].value}@${x.timestamp / 60_000}`))
    );
    const expected = (name: string, count: number) => Array.from({ length: count }, (_, i) => `${name}@${i}`);
    expect(samples).toEqual([...expected('a', 25), ...expected('b', 5), ...expected('c', 30)]);
    // A queue no larger than a batch: every batch empties it, and the enqueue it wakes must start sending again.
    const small = new RemoteWriteClient(settings(target.url, 5), events);
    expect(await small.enqueue([series('d', 0, 23)], true)).toBe(0);
    await small.flush();
    expect(counts.sent).toBe(83);
  });

  it('a backfill (no dropping) waits through a failing target and delivers everything once it recovers', async () => {
    const target = await receiver([503, 503, 503]);
    servers.push(target.server);
    const { counts, events } = recorder();
    const client = new RemoteWriteClient(settings(target.url, 10), events);
    expect(await client.enqueue([series('a', 0, 30)], false)).toBe(0);
    await client.flush();
    expect(counts).toMatchObject({ sent: 30, retries: 3, dropped: { queue_full: 0, shutdown: 0 } });
  });

  it('on close, gives up a request in flight at the end of the grace instead of waiting for its timeout', async () => {
    const target = await receiver([]);
    servers.push(target.server);
    target.server.removeAllListeners('request');
    let requests = 0;
    target.server.on('request', (request) => {
      requests++;
      request.resume(); // read, and never answered
    });
    const { counts, events } = recorder();
    const client = new RemoteWriteClient({ ...settings(target.url), timeoutMs: 120_000 }, events);
    await client.enqueue([series('a', 0, 5)], false);
    // Resolves at the end of the grace, not after the request's 120 s timeout (beyond the test's time limit).
    await client.close(200);
    expect(requests).toBe(1);
    expect(counts.dropped.shutdown).toBe(5);
    expect(client.pending).toBe(0);
    target.server.closeAllConnections();
  });

  it('stops waiting for room once the writer stops: the rest is queued for the shutdown grace, not dropped', async () => {
    const target = await receiver(Array(1000).fill(503));
    servers.push(target.server);
    const { counts, events } = recorder();
    const client = new RemoteWriteClient(settings(target.url, 5), events);
    const stop = new AbortController();
    const queued = client.enqueue([series('a', 0, 12)], false, stop.signal); // a backfill: waits for room
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.pending).toBe(5);
    stop.abort();
    expect(await queued).toBe(0);
    expect(client.pending).toBe(12);
    await client.close(100);
    expect(counts.dropped).toEqual({ queue_full: 0, shutdown: 12 });
  });

  it('on close, gives up retrying after the grace and counts what it dropped', async () => {
    const target = await receiver(Array(1000).fill(503));
    servers.push(target.server);
    const { counts, events } = recorder();
    const client = new RemoteWriteClient(settings(target.url), events);
    await client.enqueue([series('a', 0, 10)], false);
    await client.close(200);
    expect(counts.sent).toBe(0);
    expect(counts.dropped.shutdown).toBe(10);
    expect(client.pending).toBe(0);
  });
});
