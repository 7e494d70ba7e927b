/**
 * A backfill written to a file instead of a TSDB: OpenMetrics text, as `promtool tsdb create-blocks-from openmetrics`
 * (and VictoriaMetrics' vmctl, or any OpenMetrics reader) takes it. Each written metric is one family
 * (`# TYPE <name> gauge`), its samples with their timestamps in seconds, each series' in time order; `# EOF` ends
 * the file.
 *
 * Samples arrive chunk by chunk, all three metrics at once, so each family is first appended to a part file of its
 * own next to the output; close() puts the families together into the output (through a temporary name renamed
 * over it: the output is either the whole backfill or absent) and removes the parts. discard() removes everything.
 */
import { formatSampleValue } from '@telemetry-analyzer/query';
import { closeSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import type { SampleSink, SinkSeries } from './sampleSink';

export class OpenMetricsFileSink implements SampleSink {
  /** Metric name → its part file's descriptor, in the order the families first came. */
  private readonly parts = new Map<string, { path: string; fd: number }>();
  private done = false;

  constructor(
    readonly path: string,
    private readonly onWritten: (samples: number) => void
  ) {}

  readonly pending = 0;

  /** A file has no queue: it takes everything at once, and drops nothing. */
  async enqueue(series: SinkSeries[]): Promise<number> {
    for (const one of series) {
      const name = one.labels.find((l) => l.name === '__name__')?.value ?? '';
      const labels = one.labels
        .filter((l) => l.name !== '__name__')
        .map((l) => `${l.name}="${escapeLabelValue(l.value)}"`)
        .join(',');
      const prefix = `${name}{${labels}} `;
      let text = '';
      for (let i = 0; i < one.timestamps.length; i++) {
        text += `${prefix}${formatSampleValue(one.values[i])} ${one.timestamps[i] / 1000}\n`;
      }
      writeSync(this.partOf(name).fd, text);
      this.onWritten(one.timestamps.length);
    }
    return 0;
  }

  async flush(): Promise<void> {}

  /** Writes the output from the parts (once). */
  async close(): Promise<void> {
    if (this.done) {
      return;
    }
    this.done = true;
    const temporary = `${this.path}.tmp`;
    try {
      const out = openSync(temporary, 'w');
      try {
        for (const [name, part] of this.parts) {
          closeSync(part.fd);
          writeSync(out, `# TYPE ${name} gauge\n`);
          appendFileTo(out, part.path);
        }
        writeSync(out, '# EOF\n');
      } finally {
        closeSync(out);
      }
      renameSync(temporary, this.path);
    } finally {
      this.removeParts(temporary);
    }
  }

  /** Leaves no output: what a failed backfill does. */
  discard(): void {
    if (!this.done) {
      this.done = true;
      for (const part of this.parts.values()) {
        closeSync(part.fd);
      }
      this.removeParts(`${this.path}.tmp`);
    }
  }

  private partOf(name: string): { path: string; fd: number } {
    let part = this.parts.get(name);
    if (!part) {
      const path = `${this.path}.${this.parts.size}.part`;
      writeFileSync(path, '');
      part = { path, fd: openSync(path, 'a') };
      this.parts.set(name, part);
    }
    return part;
  }

  private removeParts(temporary: string): void {
    for (const part of this.parts.values()) {
      rmSync(part.path, { force: true });
    }
    rmSync(temporary, { force: true });
  }
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Bytes copied at a time by appendFileTo. */
const COPY_CHUNK_BYTES = 1 << 20;

/**
 * Appends the file at `path` to the open file `out`, a chunk at a time: read whole, a week's part of 50 series took
 * ~250 MB of memory as the output was put together, and one over 2 GiB could not be read at all (a review).
 */
function appendFileTo(out: number, path: string): void {
  const chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  const from = openSync(path, 'r');
  try {
    for (
      let read = readSync(from, chunk, 0, chunk.length, null);
      read > 0;
      read = readSync(from, chunk, 0, chunk.length, null)
    ) {
      for (let written = 0; written < read;) {
        written += writeSync(out, chunk, written, read - written);
      }
    }
  } finally {
    closeSync(from);
  }
}
