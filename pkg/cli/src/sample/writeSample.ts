/** The `sample` command's files: the telemetry CSV and its labels CSV, written atomically. */
import { dirname } from 'path';
import { formatTimestamp } from '../input/timestamp';
import { writeAtomically } from '../output/atomicOutput';
import { csvLine } from '../output/csv';
import { generateTelemetry, METRICS, type TelemetryOptions } from './generateTelemetry';

/** `data/x.csv` → `data/x_labels.csv`. */
export function labelsPathFor(output: string): string {
  return output.replace(/(\.csv)?$/i, '_labels.csv');
}

export async function writeSample(
  output: string,
  options: TelemetryOptions
): Promise<{ rows: number; anomalies: number; labels: string }> {
  const data = generateTelemetry(options);
  const multiHost = data.hosts.length > 1;
  const labels = labelsPathFor(output);
  let rows = 0;
  await writeAtomically(dirname(output), async (files) => {
    const csv = files.open(output);
    await csv.write(csvLine(['timestamp', ...(multiHost ? ['host'] : []), ...METRICS]));
    for (let i = 0; i < data.timestamps.length; i++) {
      for (const { host, metrics } of data.hosts) {
        const values = METRICS.map((name) => (name === 'error_count' ? metrics[name][i] : round(metrics[name][i])));
        await csv.write(csvLine([formatTimestamp(data.timestamps[i]), ...(multiHost ? [host] : []), ...values]));
        rows++;
      }
    }
    const labelFile = files.open(labels);
    await labelFile.write(csvLine(['kind', 'host', 'start', 'end', 'metrics']));
    for (const anomaly of data.anomalies) {
      await labelFile.write(
        csvLine([
          anomaly.kind,
          anomaly.host,
          formatTimestamp(anomaly.start),
          formatTimestamp(anomaly.end),
          anomaly.metrics.join(';'),
        ])
      );
    }
  });
  return { rows, anomalies: data.anomalies.length, labels };
}

/** Three decimals: realistic precision and a compact file. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
