import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';
import { testIds } from '../components/testIds';

/** Landing page of the app. */
function Overview() {
  const s = useStyles2(getStyles);
  return (
    <PluginPage>
      <div data-testid={testIds.overview.container} className={s.page}>
        <section>
          <h2>What Telemetry Analyzer does</h2>
          <p>
            It finds anomalies in Prometheus and InfluxDB metrics with an Isolation Forest: points that are easy to
            isolate from the rest, judged not only on their value but on engineered features (lags, first differences,
            rolling mean, standard deviation, minimum and maximum, and for long ranges hour-of-day and weekday). The
            same engine, with the same seed, gives the same scores in the panel, the anomaly proxy and the CLI.
          </p>
        </section>
        <section>
          <h2>Add the Anomaly panel</h2>
          <ol>
            <li>
              Open a dashboard, add a visualization and pick <strong>Anomaly</strong>.
            </li>
            <li>
              Write your usual query (Prometheus, InfluxQL or Flux). Every numeric series is analysed; each one gets its
              own model, or choose <em>Multivariate</em> to model several series together (optionally one model per
              value of a label such as <code>host</code>).
            </li>
            <li>
              Set <strong>Contamination</strong>, the share of points you expect to be anomalous (default 1%). Changing
              it re-thresholds without retraining.
            </li>
            <li>
              Choose the <strong>training range</strong>: the visible range, a baseline of the previous days (queried
              through the panel&apos;s own data sources), or a fixed range. Models are cached, so a refresh only scores
              the new points.
            </li>
            <li>
              Anomalies appear as red points, runs of anomalies as shaded regions, and the score pane shows the anomaly
              score against its threshold. Hover a point to see which features drove it. Optionally each new anomaly
              region is written as a dashboard annotation.
            </li>
          </ol>
          <p className={s.weak}>
            Sorting, training, scoring and decimation run in a Web Worker; the dashboard gets back only what it draws.
          </p>
        </section>
        <section>
          <h2>Alerting through the anomaly proxy</h2>
          <p>
            Grafana alert rules cannot run a panel. For alerting, run the anomaly proxy next to Prometheus: it speaks
            the Prometheus HTTP API, forwards your queries to the real Prometheus and returns anomaly scores as series.
            Add it in Grafana as a Prometheus data source and write alert rules on its output, for example an alert when
            the score stays above the threshold for five minutes. vmalert and Prometheus rule evaluators can use it the
            same way.
          </p>
          <p>
            The proxy trains with the same engine and parameters as the panel, so an alert fires on what the panel
            shows. Its flags and endpoints are described in the proxy&apos;s README (<code>pkg/proxy</code>).
          </p>
        </section>
      </div>
    </PluginPage>
  );
}

export default Overview;

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ maxWidth: 860, '& section': { marginBottom: theme.spacing(4) } }),
  weak: css({ color: theme.colors.text.secondary }),
});
