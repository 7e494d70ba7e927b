export const testIds = {
  appConfig: {
    datasourceUid: 'data-testid ac-anomaly-datasource-uid',
    /** The picker of the Prometheus datasources Grafana knows, beside the uid field. */
    datasourcePicker: 'data-testid ac-anomaly-datasource-picker',
    proxyUrl: 'data-testid ac-proxy-url',
    defaultContamination: 'data-testid ac-default-contamination',
    testConnection: 'data-testid ac-test-connection',
    /** Alert with the datasource health check's answer. */
    testResult: 'data-testid ac-test-result',
    submit: 'data-testid ac-submit-form',
    saveResult: 'data-testid ac-save-result',
  },
  overview: {
    container: 'data-testid overview-container',
  },
};
