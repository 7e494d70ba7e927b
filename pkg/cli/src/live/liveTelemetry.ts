/**
 * Live telemetry for the demo stack: the sample data's model (normal behaviour and anomaly shapes from
 * generateTelemetry.ts) as a pure function of (seed, host, time). The value of a host at time t is the same in
 * every process and on every call, so the Prometheus backfill written by one process joins the series another
 * process serves, and a restarted generator carries on where the old one stopped.
 *
 * Time runs on a grid of `stepMs`: a value belongs to the step that contains t. Each step draws its noise from its
 * own PRNG, seeded by hashing (seed, host, step index); the slow drift of the sample model (an AR(1) process) is
 * rebuilt from the last DRIFT_MEMORY steps' draws, which is where an infinite AR(1) with factor 0.7 would put all
 * but 0.7^30 ≈ 2e-5 of its weight.
 */
import { createRandom, type Random } from '@telemetry-analyzer/engine';
import {
  advanceDrift,
  anomalyMetrics,
  applyAnomaly,
  normalTelemetryPoint,
  type AnomalyKind,
  type Metric,
  type TelemetryDrift,
} from '../sample/generateTelemetry';

/** Steps of history that make up the drift of a point (see the file comment). */
const DRIFT_MEMORY = 30;

/** When anomalies are injected: anomaly k starts at firstStartMs + k * everyMs, on hosts and kinds in turn. */
export interface AnomalySchedule {
  /** Start of the first anomaly, epoch ms, on the step grid. */
  firstStartMs: number;
  /** Time between anomaly starts; a multiple of the step, at least durationMs. */
  everyMs: number;
  /** How long each anomaly lasts; a multiple of the step. */
  durationMs: number;
  /** Anomaly k is of kind kinds[k % kinds.length]. */
  kinds: readonly AnomalyKind[];
}

export interface LiveTelemetryModel {
  /** Host k of the schedule's anomaly k is hosts[k % hosts.length]. */
  hosts: readonly string[];
  seed: number;
  stepMs: number;
  /** Without a schedule every value is normal (the backfilled history). */
  schedule?: AnomalySchedule;
}

export interface ScheduledAnomaly {
  /** 0 for the first anomaly of the schedule. */
  index: number;
  kind: AnomalyKind;
  host: string;
  /** Epoch ms, inclusive. */
  startMs: number;
  /** Epoch ms, exclusive. */
  endMs: number;
  metrics: string[];
}

/** Start of the step that contains `timestampMs`. */
export function stepStart(timestampMs: number, stepMs: number): number {
  return Math.floor(timestampMs / stepMs) * stepMs;
}

/** The values of every metric of `host` during the step that contains `timestampMs`. */
export function telemetryAt(model: LiveTelemetryModel, host: string, timestampMs: number): Record<Metric, number> {
  const step = Math.floor(timestampMs / model.stepMs);
  const drift: TelemetryDrift = { cpu: 0, memory: 0 };
  for (let past = step - DRIFT_MEMORY; past < step; past++) {
    advanceDrift(drift, stepRandom(model.seed, host, past, NOISE_STREAM));
  }
  const point = normalTelemetryPoint(step * model.stepMs, drift, stepRandom(model.seed, host, step, NOISE_STREAM));
  const anomaly = anomalyAt(model, step * model.stepMs);
  if (anomaly !== undefined && anomaly.host === host) {
    const position = Math.floor((step * model.stepMs - anomaly.startMs) / model.stepMs);
    const length = (anomaly.endMs - anomaly.startMs) / model.stepMs;
    applyAnomaly(anomaly.kind, position, length, point, stepRandom(model.seed, host, step, ANOMALY_STREAM));
  }
  return point;
}

/** The scheduled anomaly in progress at `timestampMs` (on any host), if any. */
export function anomalyAt(model: LiveTelemetryModel, timestampMs: number): ScheduledAnomaly | undefined {
  const schedule = model.schedule;
  if (schedule === undefined || timestampMs < schedule.firstStartMs) {
    return undefined;
  }
  const index = Math.floor((timestampMs - schedule.firstStartMs) / schedule.everyMs);
  const anomaly = scheduledAnomaly(model, index);
  return timestampMs < anomaly.endMs ? anomaly : undefined;
}

/** Anomaly number `index` of the schedule (the model must have one). */
export function scheduledAnomaly(model: LiveTelemetryModel, index: number): ScheduledAnomaly {
  const schedule = model.schedule!;
  const kind = schedule.kinds[index % schedule.kinds.length];
  const startMs = schedule.firstStartMs + index * schedule.everyMs;
  return {
    index,
    kind,
    host: model.hosts[index % model.hosts.length],
    startMs,
    endMs: startMs + schedule.durationMs,
    metrics: anomalyMetrics(kind),
  };
}

/** Separate PRNG streams per step, so injecting an anomaly never changes the normal values around it. */
const NOISE_STREAM = 1;
const ANOMALY_STREAM = 2;

function stepRandom(seed: number, host: string, step: number, stream: number): Random {
  let h = mix32(hashString(host) ^ seed);
  h = mix32(h ^ (step >>> 0));
  h = mix32(h ^ Math.floor(step / 4294967296));
  return createRandom(mix32(h ^ stream));
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit number per host name. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
