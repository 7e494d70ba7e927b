/** Writes the generator's samples to an InfluxDB 1.x database over its HTTP API (/ping, /query, /write). */
import { setTimeout as sleep } from 'timers/promises';
import { influxLine, type HostSample } from './telemetryFormats';

export interface InfluxTarget {
  /** Base URL, e.g. http://influxdb:8086 */
  url: string;
  database: string;
  measurement: string;
}

/** Lines per /write request: quick, and well below InfluxDB's default body limit. */
const WRITE_BATCH_LINES = 5000;
const REQUEST_TIMEOUT_MS = 10_000;

export class InfluxWriter {
  /** The URL without credentials: what requests go to and messages and logs name. */
  readonly url: string;
  /** Credentials of the URL (http://user:password@host) as a Basic header: fetch refuses URLs that hold them. */
  private readonly headers: Record<string, string>;

  constructor(readonly target: InfluxTarget) {
    const url = new URL(target.url);
    this.headers =
      url.username || url.password
        ? {
            authorization: `Basic ${Buffer.from(
              `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
            ).toString('base64')}`,
          }
        : {};
    url.username = '';
    url.password = '';
    this.url = url.href.replace(/\/+$/, '');
  }

  /** Waits until InfluxDB answers /ping (it may still be starting), then creates the database if it is missing. */
  async prepare(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    let lastProblem = 'no answer';
    for (;;) {
      try {
        const response = await fetch(`${this.url}/ping`, {
          headers: this.headers,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        if (response.ok) {
          break;
        }
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        lastProblem = describe(error);
      }
      if (Date.now() >= deadline) {
        throw new Error(`InfluxDB at ${this.url} did not answer /ping within ${waitMs} ms: ${lastProblem}`);
      }
      await sleep(500);
    }
    // CREATE DATABASE does nothing when the database exists.
    await this.query(`CREATE DATABASE ${quoteIdentifier(this.target.database)}`, 'POST');
  }

  /** Epoch ms of the newest point of the measurement, or undefined when it has none. */
  async newestPointMs(): Promise<number | undefined> {
    const answer = await this.query(
      `SELECT last(cpu_usage_percent) FROM ${quoteIdentifier(this.target.measurement)}`,
      'GET'
    );
    const values = answer.results?.[0]?.series?.[0]?.values;
    return values && values.length > 0 ? Number(values[0][0]) : undefined;
  }

  async write(samples: HostSample[]): Promise<void> {
    for (let first = 0; first < samples.length; first += WRITE_BATCH_LINES) {
      const body = samples
        .slice(first, first + WRITE_BATCH_LINES)
        .map((sample) => influxLine(this.target.measurement, sample))
        .join('\n');
      const params = new URLSearchParams({ db: this.target.database, precision: 'ms' });
      const response = await fetch(`${this.url}/write?${params}`, {
        method: 'POST',
        headers: this.headers,
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) {
        throw new Error(`InfluxDB /write answered ${response.status}: ${(await response.text()).trim()}`);
      }
    }
  }

  private async query(statement: string, method: 'GET' | 'POST'): Promise<InfluxAnswer> {
    const params = new URLSearchParams({ db: this.target.database, q: statement, epoch: 'ms' });
    const response = await fetch(`${this.url}/query?${params}`, {
      method,
      headers: this.headers,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let answer: InfluxAnswer;
    try {
      answer = JSON.parse(text) as InfluxAnswer;
    } catch {
      throw new Error(
        `InfluxDB /query answered ${response.status} with something that is not JSON: ${text.slice(0, 200)}`
      );
    }
    // Statement errors come back with status 200 and an error inside the result.
    const error = answer.error ?? answer.results?.find((result) => result.error !== undefined)?.error;
    if (!response.ok || error !== undefined) {
      throw new Error(`InfluxDB could not run "${statement}": ${error ?? `HTTP ${response.status}`}`);
    }
    return answer;
  }
}

interface InfluxAnswer {
  error?: string;
  results?: Array<{ error?: string; series?: Array<{ values?: unknown[][] }> }>;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
