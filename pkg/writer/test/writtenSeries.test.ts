/**
 * Input labels named like the labels the writer sets (job label, external labels, input_metric) are written under
 * `exported_<name>`, as Prometheus renames a scraped label that collides with a target label: input series that differ
 * only in such a label stay distinct series, and the rename is undone exactly when a written series is read back.
 */
import fc from 'fast-check';
import { INPUT_METRIC_LABEL, inputLabelName, writerLabelNames, writtenLabelName } from '../src/writtenSeries';
import type { JobConfig, RemoteWriteConfig } from '../src/config';

const job = { output: { jobLabel: 'anomaly_job' } } as unknown as JobConfig;
const remoteWrite = { externalLabels: { cluster: 'eu1', replica: 'a' } } as unknown as RemoteWriteConfig;
const writerNames = writerLabelNames(job, remoteWrite);

describe('written label names', () => {
  it('are the job label, the external labels and input_metric', () => {
    expect([...writerNames].sort()).toEqual(['anomaly_job', 'cluster', INPUT_METRIC_LABEL, 'replica']);
  });

  it.each([
    ['host', 'host'],
    ['cluster', 'exported_cluster'],
    ['anomaly_job', 'exported_anomaly_job'],
    ['input_metric', 'exported_input_metric'],
    // An input label already named exported_cluster must not meet the renamed cluster.
    ['exported_cluster', 'exported_exported_cluster'],
    ['exported_host', 'exported_host'],
    ['exported_', 'exported_'],
  ])('input label %s is written as %s, and read back as it was', (input, written) => {
    expect(writtenLabelName(input, writerNames)).toBe(written);
    expect(inputLabelName(written, writerNames)).toBe(input);
  });

  it('are one-to-one: distinct input labels stay distinct, and every one reads back as it was', () => {
    const part = fc.constantFrom('exported_', 'cluster', 'replica', 'anomaly_job', 'input_metric', 'host', '_', 'x');
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 5 }),
        fc.array(part, { minLength: 1, maxLength: 5 }),
        (a, b) => {
          const [first, second] = [a.join(''), b.join('')];
          const [writtenFirst, writtenSecond] = [
            writtenLabelName(first, writerNames),
            writtenLabelName(second, writerNames),
          ];
          expect(inputLabelName(writtenFirst, writerNames)).toBe(first);
          expect(writtenFirst === writtenSecond).toBe(first === second);
          expect(writerNames.has(writtenFirst)).toBe(false);
        }
      )
    );
  });
});
