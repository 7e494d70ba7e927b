/**
 * Sharding without a coordinator: a unit (a series, or a `by` group) belongs to shard `hash(labels) mod N`, where the
 * hash is Prometheus' hashmod (md5, its last 8 bytes big-endian) of the unit's canonical label text. Every writer
 * computes the same assignment from the labels alone, so N writers with --shard 0/N … N-1/N score each unit once.
 */
import { labelsKey } from '@telemetry-analyzer/query';
import { createHash } from 'node:crypto';

export interface ShardSpec {
  index: number;
  count: number;
}

/** "i/N" (0 <= i < N), or undefined. */
export function parseShard(text: string): ShardSpec | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

/** The shard of a unit's labels (`__name__` left out: a per-series result carries none). */
export function shardOf(labels: Record<string, string>, count: number): number {
  const { __name__: _name, ...rest } = labels;
  const digest = createHash('md5').update(labelsKey(rest)).digest();
  return Number(digest.readBigUInt64BE(8) % BigInt(count));
}

export function inShard(labels: Record<string, string>, shard: ShardSpec): boolean {
  return shard.count === 1 || shardOf(labels, shard.count) === shard.index;
}
