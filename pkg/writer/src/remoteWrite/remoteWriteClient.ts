/**
 * A remote write 1.0 client with a bounded queue: samples are queued per series, sent in batches of at most
 * `batchSamples` (one request at a time, so a series' samples arrive in time order), retried with exponential backoff
 * on 5xx, 429 (honouring Retry-After) and network errors, and never retried on another 4xx or a 5xx that says the
 * samples are too old (the TSDB refused the data: resending cannot help). A full queue makes enqueue wait for room, or
 * (live, while a send is being retried) drop and count what does not fit; nothing is resent once the TSDB has
 * answered that it accepted it. A request that times out may have been accepted all the same: it is resent, and the
 * TSDB then holds those samples twice unless it deduplicates (VictoriaMetrics' -dedup.minScrapeInterval; Prometheus
 * keeps one sample per series and time).
 */
import { authHeaders, type UpstreamAuth } from '@telemetry-analyzer/query';
import type { SampleSink, SinkSeries } from '../sampleSink';
import { REMOTE_WRITE_HEADERS, WriteSeries, encodeWriteRequest } from './prompb';

/**
 * A 5xx whose body says the samples can never be taken: Prometheus 2.42 answers 500 "too old sample" to samples older
 * than its out-of-order window (storage.ErrTooOldSample is not among the errors its write handler maps to 400), and
 * retrying them would block the queue for good (a backfill never ending). Counted as rejected, like a 400.
 */
const REFUSED_FOR_GOOD = /too old sample/i;

export interface RemoteWriteSettings {
  /** e.g. http://prometheus:9090/api/v1/write or http://victoria-metrics:8428/api/v1/write */
  url: string;
  /** Per request [30s]. */
  timeoutMs: number;
  auth: UpstreamAuth;
  /** Samples per request at most [2000]. */
  batchSamples: number;
  /** Samples the queue holds at most, in flight included [500000] (see enqueue for what happens beyond). */
  queueSamples: number;
  /** First retry delay [100ms], doubled per retry up to maxBackoffMs [10s]. */
  minBackoffMs: number;
  maxBackoffMs: number;
}

/** What the client reports (the writer's /metrics). */
export interface RemoteWriteEvents {
  /** The TSDB accepted `batch` (its series and samples). */
  onSent(samples: number, seconds: number, batch: WriteSeries[]): void;
  /** The TSDB refused `batch` with a 4xx other than 429: its samples are given up. */
  onRejected(samples: number, status: number, body: string, batch: WriteSeries[]): void;
  /** A request failed and will be retried after `delayMs` (5xx, 429, network error, timeout). */
  onRetry(status: number | 'network', reason: string, delayMs: number): void;
  /** Samples that did not fit the queue, or were still queued when shutdown gave up. */
  onDropped(samples: number, reason: 'queue_full' | 'shutdown'): void;
  onQueueChange(samples: number): void;
}

export class RemoteWriteClient implements SampleSink {
  private readonly queue: SinkSeries[] = [];
  private queued = 0;
  private inFlight = 0;
  private pumping: Promise<void> | undefined;
  /** Set by close(): retries stop at this time and what is left is dropped. */
  private giveUpAtMs = Infinity;
  private readonly wakeSleepers = new Set<() => void>();
  /** Whether the last send failed and is being retried (cleared by a send the target answered for good). */
  private failing = false;
  /** Aborts the request in flight (close(), at the end of its grace). */
  private sendAbort = new AbortController();
  /** enqueue calls waiting for room. */
  private readonly queueWaiters: Array<() => void> = [];

  constructor(
    private readonly settings: RemoteWriteSettings,
    private readonly events: RemoteWriteEvents
  ) {}

  /** Samples queued or in flight. */
  get pending(): number {
    return this.queued + this.inFlight;
  }

  /**
   * Queues samples (each series' labels sorted by name, samples in time order) and starts sending. When the queue is
   * full it waits for room while the target takes what is sent: a backfill's or a catch-up's size is the data's, and
   * the bound is meant for a target that is down. With `dropWhileFailing`, what does not fit while a send is being
   * retried (the target down, or refusing for now) is dropped and counted, the oldest samples of each series kept: a
   * live writer must not stall behind a dead target. Resolves to how many samples were dropped.
   */
  async enqueue(series: SinkSeries[], dropWhileFailing: boolean, stop?: AbortSignal): Promise<number> {
    // A stopping writer stops waiting: what is left is queued beyond the bound, for the shutdown grace to send or drop.
    const wake = () => this.notifyQueueChange();
    stop?.addEventListener('abort', wake, { once: true });
    let dropped = 0;
    try {
      for (const one of series) {
        dropped += await this.enqueueOne(one, dropWhileFailing, stop);
      }
    } finally {
      stop?.removeEventListener('abort', wake);
    }
    this.startPump();
    return this.queuedWithDrops(dropped);
  }

  /** enqueue's work for one series; returns how many of its samples were dropped. */
  private async enqueueOne(one: SinkSeries, dropWhileFailing: boolean, stop?: AbortSignal): Promise<number> {
    let from = 0;
    while (from < one.timestamps.length) {
      if (stop?.aborted) {
        this.push(one, from, one.timestamps.length);
        return 0;
      }
      if (this.room > 0) {
        const take = Math.min(this.room, one.timestamps.length - from);
        this.push(one, from, from + take);
        from += take;
      } else if (dropWhileFailing && this.failing) {
        return one.timestamps.length - from;
      } else {
        this.startPump();
        await this.queueChange();
      }
    }
    return 0;
  }

  /** Samples the queue can take now. */
  private get room(): number {
    return this.settings.queueSamples - this.pending;
  }

  /** Queues samples [from, to) of `one` (startPump sends them). */
  private push(one: SinkSeries, from: number, to: number): void {
    if (to <= from) {
      return;
    }
    this.queue.push({
      labels: one.labels,
      timestamps: one.timestamps.slice(from, to),
      values: one.values.slice(from, to),
    });
    this.queued += to - from;
  }

  /**
   * Starts sending what is queued, unless already sending: once a call's samples are queued (or before it waits for
   * room), so that its first batch is whole.
   */
  private startPump(): void {
    // pump() awaits before it can end (the queue is not empty), so `pumping` is set before pump() clears it.
    if (this.queue.length > 0) {
      this.pumping ??= this.pump();
    }
  }

  private queuedWithDrops(dropped: number): number {
    if (dropped > 0) {
      this.events.onDropped(dropped, 'queue_full');
    }
    this.events.onQueueChange(this.pending);
    return dropped;
  }

  /** Resolves when a batch was sent or given up, or a send failed (and will be retried). */
  private queueChange(): Promise<void> {
    return new Promise((resolve) => this.queueWaiters.push(resolve));
  }

  private notifyQueueChange(): void {
    this.queueWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves once everything queued was sent (or given up); at once when nothing is pending. */
  async flush(): Promise<void> {
    while (this.pumping) {
      await this.pumping;
    }
  }

  /**
   * Sends what is queued for at most `graceMs` (retries included), then drops the rest (counted) and resolves.
   */
  async close(graceMs: number): Promise<void> {
    this.giveUpAtMs = Date.now() + graceMs;
    const timer = setTimeout(() => {
      this.wakeSleepers.forEach((wake) => wake());
      // A request in flight is given up too: its timeout (timeoutMs) would otherwise overrun the grace.
      this.sendAbort.abort(new Error('the shutdown grace ended'));
    }, graceMs);
    try {
      await this.flush();
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends batches until the queue is empty. `pumping` is cleared in the same step that finds the queue empty: a
   * waiting enqueue woken by the last batch queues more before a later step could clear it, and must start a pump.
   */
  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const samples = batch.reduce((n, s) => n + s.samples.length, 0);
        this.inFlight = samples;
        try {
          await this.sendWithRetries(batch, samples);
        } finally {
          this.inFlight = 0;
          this.events.onQueueChange(this.pending);
          this.notifyQueueChange();
        }
      }
    } finally {
      this.pumping = undefined;
    }
  }

  /** Up to batchSamples samples from the head of the queue, splitting a series if it does not fit whole. */
  private takeBatch(): WriteSeries[] {
    const batch: WriteSeries[] = [];
    let room = this.settings.batchSamples;
    while (room > 0 && this.queue.length > 0) {
      const head = this.queue[0];
      const take = Math.min(room, head.timestamps.length);
      batch.push({
        labels: head.labels,
        samples: head.timestamps.slice(0, take).map((timestamp, i) => ({ timestamp, value: head.values[i] })),
      });
      if (take === head.timestamps.length) {
        this.queue.shift();
      } else {
        head.timestamps = head.timestamps.slice(take);
        head.values = head.values.slice(take);
      }
      this.queued -= take;
      room -= take;
    }
    return batch;
  }

  private async sendWithRetries(batch: WriteSeries[], samples: number): Promise<void> {
    const body = encodeWriteRequest(batch);
    let backoffMs = this.settings.minBackoffMs;
    for (;;) {
      this.sendAbort = new AbortController();
      if (Date.now() >= this.giveUpAtMs) {
        this.sendAbort.abort(new Error('the shutdown grace ended')); // no new attempt after it, however long
      }
      const began = process.hrtime.bigint();
      let status: number | 'network';
      let reason: string;
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(this.settings.url, {
          method: 'POST',
          headers: { ...REMOTE_WRITE_HEADERS, ...authHeaders(this.settings.auth) },
          body,
          signal: AbortSignal.any([this.sendAbort.signal, AbortSignal.timeout(this.settings.timeoutMs)]),
        });
        const text = await response.text();
        if (response.ok) {
          this.failing = false;
          this.events.onSent(samples, Number(process.hrtime.bigint() - began) / 1e9, batch);
          return;
        }
        status = response.status;
        reason = text.slice(0, 500);
        if ((status >= 400 && status < 500 && status !== 429) || REFUSED_FOR_GOOD.test(reason)) {
          this.failing = false;
          this.events.onRejected(samples, status, reason, batch);
          return;
        }
        retryAfterMs = retryAfterDelayMs(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        status = 'network';
        reason = (error as Error).message;
      }
      if (Date.now() >= this.giveUpAtMs) {
        this.events.onDropped(samples + this.queued, 'shutdown');
        this.queue.length = 0;
        this.queued = 0;
        return;
      }
      // As Prometheus' remote write: the target's Retry-After whole (not cut to maxBackoff), the backoff otherwise;
      // the next backoff is twice this wait, up to maxBackoff.
      const delayMs = retryAfterMs ?? backoffMs;
      this.events.onRetry(status, reason, delayMs);
      this.failing = true;
      this.notifyQueueChange();
      await this.sleep(delayMs);
      backoffMs = Math.min(this.settings.maxBackoffMs, delayMs * 2);
    }
  }

  /** A backoff sleep that close() cuts short when its grace ends. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeSleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeSleepers.add(wake);
    });
  }
}

/** The longest Retry-After taken (a longer one is taken as this): an hour, within what a timer can wait. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * A Retry-After header's wait (RFC 9110: seconds, or an HTTP date), in ms from `nowMs`; undefined when there is
 * none, it is not one of the two forms, or it is not in the future (then the backoff applies, as in Prometheus).
 */
export function retryAfterDelayMs(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') {
    return undefined;
  }
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
