/** Where the writer's samples go: a remote-write target (RemoteWriteClient) or, for a backfill, a file (OpenMetricsFileSink). */
export interface SinkSeries {
  /** Sorted by name, `__name__` included. */
  labels: Array<{ name: string; value: string }>;
  /** Milliseconds, increasing. */
  timestamps: number[];
  values: number[];
}

export interface SampleSink {
  /** Samples accepted but not yet delivered. */
  readonly pending: number;
  /**
   * Takes the samples, waiting for room in a bounded queue; with `dropWhileFailing`, drops what does not fit while the
   * target is failing; once `stop` aborts, stops waiting (the rest is queued, for the shutdown grace). Resolves to how
   * many were dropped.
   */
  enqueue(series: SinkSeries[], dropWhileFailing: boolean, stop?: AbortSignal): Promise<number>;
  /** Resolves once everything taken so far is delivered (or given up). */
  flush(): Promise<void>;
  /** Delivers what is left within `graceMs` and ends. */
  close(graceMs: number): Promise<void>;
  /** Ends leaving nothing behind (a failed backfill to a file); absent where delivered samples cannot be taken back. */
  discard?(): void;
}
