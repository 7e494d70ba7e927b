/** A real Prometheus serving the integration dataset for a whole test file (started in beforeAll, stopped in afterAll). */
import { PrometheusServer, startPrometheus } from './prometheus';
import { TelemetryDataset, toPrometheusSeries } from './telemetryDataset';

export function prometheusServing(dataset: TelemetryDataset): () => PrometheusServer {
  let prometheus: PrometheusServer | undefined;
  beforeAll(async () => {
    prometheus = await startPrometheus({ series: toPrometheusSeries(dataset) });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });
  return () => prometheus!;
}
