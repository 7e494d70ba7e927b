/**
 * The series a job writes, as the writer reads them back from its target (resume, a backfill's read-back): their
 * metric names, the matchers every one of them carries (the job label and the external labels), and their identity.
 */
import { labelsKey } from '@telemetry-analyzer/query';
import type { JobConfig, RemoteWriteConfig } from './config';
import type { SinkSeries } from './sampleSink';

/** Label holding the input's metric name when the evaluator keeps `__name__` (multivariate groups of metrics). */
export const INPUT_METRIC_LABEL = 'input_metric';

/**
 * Prefix of an input label whose name is one the writer sets, as Prometheus renames a scraped label that collides
 * with a target label (honor_labels: false). Without it, input series differing only in such a label (a `cluster`
 * of a global view, with `cluster` among the external labels) were written as one series.
 */
export const EXPORTED_PREFIX = 'exported_';

/** Names the writer sets on every written series of `job`; input labels keep them only under `exported_`. */
export function writerLabelNames(job: JobConfig, remoteWrite: RemoteWriteConfig): Set<string> {
  return new Set([INPUT_METRIC_LABEL, job.output.jobLabel, ...Object.keys(remoteWrite.externalLabels)]);
}

/**
 * The name an input label is written under: one `exported_` more when, stripped of its `exported_` prefixes, it is
 * a name the writer sets (so `exported_cluster` of the input does not meet the renamed `cluster`); else unchanged.
 * One-to-one, and inputLabelName reverses it, as the config keeps writer label names from starting with `exported_`.
 */
export function writtenLabelName(name: string, writerNames: Set<string>): string {
  return writerNames.has(withoutExportedPrefixes(name)) ? EXPORTED_PREFIX + name : name;
}

/** The input label name a written (non-writer) label came from: writtenLabelName reversed. */
export function inputLabelName(name: string, writerNames: Set<string>): string {
  return name.startsWith(EXPORTED_PREFIX) && writerNames.has(withoutExportedPrefixes(name))
    ? name.slice(EXPORTED_PREFIX.length)
    : name;
}

function withoutExportedPrefixes(name: string): string {
  let bare = name;
  while (bare.startsWith(EXPORTED_PREFIX)) {
    bare = bare.slice(EXPORTED_PREFIX.length);
  }
  return bare;
}

/** The written metrics of a job: score, flag, threshold. */
export function writtenMetrics(job: JobConfig): string[] {
  return [job.output.score, job.output.flag, job.output.threshold];
}

/** PromQL label matchers (`name="value"`) that select the job's written series and no other writer's. */
export function writtenMatchers(job: JobConfig, remoteWrite: RemoteWriteConfig): string[] {
  return [
    `${job.output.jobLabel}=${JSON.stringify(job.name)}`,
    ...Object.entries(remoteWrite.externalLabels).map(([name, value]) => `${name}=${JSON.stringify(value)}`),
  ];
}

/** A written series' identity (labelsKey of its labels, `__name__` included), as the sink receives it. */
export function seriesKey(labels: SinkSeries['labels']): string {
  return labelsKey(Object.fromEntries(labels.map(({ name, value }) => [name, value])));
}
