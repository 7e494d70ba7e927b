/**
 * The identity of a trained model: everything that changes what the model learns. Two queries that differ only in
 * the anomaly function (score/flag/threshold), or in a time range that gives the same training range, share models;
 * anything else gives a new key.
 */
import { createHash } from 'node:crypto';

export interface ModelKeyParts {
  upstream: string;
  /** 'promql' or 'influxql' and the wrapped expression/statement, trimmed. */
  language: string;
  expression: string;
  /** Resolved engine options (defaults filled in), the evaluation step, training window or fixed range. */
  options: Record<string, unknown>;
  /** The range the model trains on (evaluationPlan.trainingRange). */
  training?: { startMs: number; endMs: number };
  /** The series' labels (per-series) or the group's labels (multivariate). */
  labels: Record<string, string>;
}

/** JSON with object keys sorted at every level, so equal content always gives equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableStringify).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A sha256 hex digest of the key parts: the cache key and the model file's name. */
export function modelKey(parts: ModelKeyParts): string {
  return createHash('sha256').update(stableStringify(parts)).digest('hex');
}
