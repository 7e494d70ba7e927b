/**
 * Seeded synthetic host telemetry with labelled anomalies, for the demo data, tests and the docker-compose
 * telemetry generator. A pure function: the same options give the same data on every machine (the engine's
 * seeded PRNG, never Math.random).
 *
 * Normal behaviour: a daily cycle (busier during the UTC day: CPU, disk I/O, latency and errors up, free memory
 * down), Gaussian noise with a little autocorrelation, and integer (Poisson) error counts.
 * Anomalies: one of each kind per host, only after `anomalyStartFraction` of the range (so a model trained on
 * the start sees clean data), each in its own slice of the remaining range so they never overlap.
 */
import { createRandom, type Random } from '@telemetry-analyzer/engine';

export const METRICS = [
  'cpu_usage_percent',
  'memory_free_mb',
  'disk_io_rate_mbps',
  'network_latency_ms',
  'error_count',
] as const;

export interface TelemetryOptions {
  /** First timestamp, epoch ms. */
  start: number;
  /** Last timestamp (inclusive if on the step grid), epoch ms. */
  end: number;
  /** Sampling interval [60000]. */
  stepMs?: number;
  /** Host names ['host-a']. */
  hosts?: string[];
  /** PRNG seed [7]. */
  seed?: number;
  /** Anomalies only after this share of the range [0.35]. */
  anomalyStartFraction?: number;
}

export interface InjectedAnomaly {
  kind: 'cpu_spike' | 'memory_leak' | 'disk_io_stall' | 'latency_jitter' | 'error_burst';
  host: string;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, inclusive. */
  end: number;
  metrics: string[];
}

export interface TelemetryData {
  timestamps: Float64Array;
  hosts: Array<{ host: string; metrics: Record<string, Float64Array> }>;
  anomalies: InjectedAnomaly[];
}

export type AnomalyKind = InjectedAnomaly['kind'];
export type Metric = (typeof METRICS)[number];

interface AnomalyShape {
  kind: AnomalyKind;
  metrics: string[];
  /** Duration range in minutes. */
  minutes: [number, number];
}

/** The five kinds, in the order they appear in time. */
const ANOMALY_SHAPES: AnomalyShape[] = [
  // A saturated CPU slows the host's responses too.
  { kind: 'cpu_spike', metrics: ['cpu_usage_percent', 'network_latency_ms'], minutes: [5, 10] },
  { kind: 'memory_leak', metrics: ['memory_free_mb'], minutes: [50, 65] },
  { kind: 'disk_io_stall', metrics: ['disk_io_rate_mbps'], minutes: [15, 30] },
  { kind: 'latency_jitter', metrics: ['network_latency_ms'], minutes: [20, 40] },
  { kind: 'error_burst', metrics: ['error_count'], minutes: [5, 15] },
];

/** Every anomaly kind, in the order the sample data places them. */
export const ANOMALY_KINDS: readonly AnomalyKind[] = ANOMALY_SHAPES.map((shape) => shape.kind);

/** The metrics an anomaly of `kind` changes. */
export function anomalyMetrics(kind: AnomalyKind): string[] {
  return [...ANOMALY_SHAPES.find((shape) => shape.kind === kind)!.metrics];
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;

export function generateTelemetry(options: TelemetryOptions): TelemetryData {
  const { start, end, stepMs = 60_000, hosts = ['host-a'], seed = 7, anomalyStartFraction = 0.35 } = options;
  if (!(end >= start) || !(stepMs > 0)) {
    throw new RangeError(
      `generateTelemetry needs end >= start and stepMs > 0, got start=${start} end=${end} stepMs=${stepMs}`
    );
  }
  const count = Math.floor((end - start) / stepMs) + 1;
  const timestamps = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    timestamps[i] = start + i * stepMs;
  }
  const random = createRandom(seed);
  const anomalies: InjectedAnomaly[] = [];
  const hostData = hosts.map((host) => {
    const metrics = normalTelemetry(timestamps, random);
    for (const anomaly of placeAnomalies(host, timestamps, stepMs, anomalyStartFraction, random)) {
      injectAnomaly(anomaly, timestamps, metrics, random);
      anomalies.push(anomaly);
    }
    return { host, metrics };
  });
  return { timestamps, hosts: hostData, anomalies };
}

/** 0 at 03:00 UTC, 1 at 15:00 UTC: how busy the hour of day is. */
function dailyLoad(timestampMs: number): number {
  const hour = (((timestampMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24);
}

function normalTelemetry(timestamps: Float64Array, random: Random): Record<string, Float64Array> {
  const n = timestamps.length;
  const metrics: Record<string, Float64Array> = {};
  for (const name of METRICS) {
    metrics[name] = new Float64Array(n);
  }
  const drift: TelemetryDrift = { cpu: 0, memory: 0 };
  for (let i = 0; i < n; i++) {
    const point = normalTelemetryPoint(timestamps[i], drift, random);
    for (const name of METRICS) {
      metrics[name][i] = point[name];
    }
  }
  return metrics;
}

/** The slowly varying part of the noise, carried from one point to the next. */
export interface TelemetryDrift {
  cpu: number;
  memory: number;
}

/**
 * Normal telemetry of one host at one instant: the daily cycle plus noise. Advances `drift` by one step
 * (AR(1) on top of white noise, as real hosts drift within minutes). Shared by the sample data and the live
 * generator, so both follow the same model.
 */
export function normalTelemetryPoint(
  timestampMs: number,
  drift: TelemetryDrift,
  random: Random
): Record<Metric, number> {
  const load = dailyLoad(timestampMs);
  advanceDrift(drift, random);
  return {
    cpu_usage_percent: clamp(25 + 35 * load + drift.cpu + gaussian(random) * 2.5, 0, 100),
    memory_free_mb: Math.max(0, 7800 - 1400 * load + drift.memory + gaussian(random) * 40),
    disk_io_rate_mbps: Math.max(0, 35 + 20 * load + gaussian(random) * 4),
    network_latency_ms: Math.max(1, 18 + 12 * load + gaussian(random) * 1.5),
    error_count: poisson(random, 0.5 + 2 * load),
  };
}

/** One AR(1) step of the drift; draws exactly two variates, first of the point's draws. */
export function advanceDrift(drift: TelemetryDrift, random: Random): void {
  drift.cpu = 0.7 * drift.cpu + gaussian(random) * 0.7;
  drift.memory = 0.7 * drift.memory + gaussian(random) * 10;
}

/** One anomaly of each kind, each at a random place inside its own slice of the range after anomalyStartFraction. */
function placeAnomalies(
  host: string,
  timestamps: Float64Array,
  stepMs: number,
  anomalyStartFraction: number,
  random: Random
): InjectedAnomaly[] {
  const n = timestamps.length;
  const firstIndex = Math.ceil(anomalyStartFraction * (n - 1));
  const slice = Math.floor((n - firstIndex) / ANOMALY_SHAPES.length);
  const placed: InjectedAnomaly[] = [];
  ANOMALY_SHAPES.forEach((shape, k) => {
    const [minMinutes, maxMinutes] = shape.minutes;
    const minutes = minMinutes + random.nextFloat() * (maxMinutes - minMinutes);
    const points = Math.max(2, Math.round((minutes * 60_000) / stepMs));
    // Keep a margin in the slice so that neighbouring anomalies (and their aftermath) stay apart.
    const margin = Math.floor(slice / 5);
    const room = slice - 2 * margin - points;
    if (room < 1) {
      return; // range too short for this anomaly
    }
    const startIndex = firstIndex + k * slice + margin + random.nextInt(room);
    placed.push({
      kind: shape.kind,
      host,
      start: timestamps[startIndex],
      end: timestamps[startIndex + points - 1],
      metrics: [...shape.metrics],
    });
  });
  return placed;
}

function injectAnomaly(
  anomaly: InjectedAnomaly,
  timestamps: Float64Array,
  metrics: Record<string, Float64Array>,
  random: Random
): void {
  const indexes: number[] = [];
  timestamps.forEach((t, i) => {
    if (t >= anomaly.start && t <= anomaly.end) {
      indexes.push(i);
    }
  });
  indexes.forEach((i, position) => {
    const point = {} as Record<Metric, number>;
    for (const name of METRICS) {
      point[name] = metrics[name][i];
    }
    applyAnomaly(anomaly.kind, position, indexes.length, point, random);
    for (const name of METRICS) {
      metrics[name][i] = point[name];
    }
  });
}

/**
 * Turns one normal point into the `position`-th of `length` points of an anomaly of `kind` (in place).
 * Shared by the sample data and the live generator.
 */
export function applyAnomaly(
  kind: AnomalyKind,
  position: number,
  length: number,
  point: Record<Metric, number>,
  random: Random
): void {
  const progress = (position + 1) / length;
  switch (kind) {
    case 'cpu_spike':
      point.cpu_usage_percent = clamp(97 + gaussian(random) * 1.5, 0, 100);
      point.network_latency_ms += 12 + Math.abs(gaussian(random)) * 4;
      break;
    case 'memory_leak':
      // Free memory drains steadily, then the process restarts (values after the window are normal again).
      point.memory_free_mb = Math.max(0, point.memory_free_mb - 4200 * progress);
      break;
    case 'disk_io_stall':
      point.disk_io_rate_mbps = Math.abs(gaussian(random)) * 0.4;
      break;
    case 'latency_jitter':
      point.network_latency_ms += (position % 2 === 0 ? 1 : -0.5) * (30 + Math.abs(gaussian(random)) * 25);
      point.network_latency_ms = Math.max(1, point.network_latency_ms);
      break;
    case 'error_burst':
      point.error_count = poisson(random, 45);
      break;
  }
}

/** Standard normal variate (Box-Muller). */
function gaussian(random: Random): number {
  const u = 1 - random.nextFloat(); // (0, 1]: log(0) impossible
  const v = random.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Poisson variate (Knuth's method; fine for the small rates used here). */
function poisson(random: Random, rate: number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let product = random.nextFloat();
  while (product > limit) {
    k++;
    product *= random.nextFloat();
  }
  return k;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
