/**
 * The series a job writes, as the writer reads them back from its target (resume, a backfill's read-back): their
 * metric names, the matchers every one of them carries (the job label and the external labels), and their identity.
 */
import { labelsKey } from '@telemetry-analyzer/query';
import type { JobConfig, RemoteWriteConfig } from './config';
import type { SinkSeries } from './sampleSink';

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
