/** Credentials and limits of the proxy the hostile corpus runs against. */
export const PROXY_TOKEN = 'hostile-corpus-token';
export const AUTHORIZED = { authorization: `Bearer ${PROXY_TOKEN}` };
/** A basic-auth client too (vmalert's way): colons in the password, and its base64 ends in one "=". */
export const BASIC_USER = { username: 'vmalert', password: 'pa:ss:word!' };

export const influxAdmin = { username: 'admin', password: 'admin-secret' };
/** What docs/proxy.md tells operators to give the proxy: READ on its database and nothing else. */
export const influxReader = { username: 'proxy_reader', password: 'reader-secret' };

/**
 * The documented defaults, except where a lower value makes a case cheap to reach: the dataset has 2 hosts x 5
 * metrics (10 series, 4320 samples each), a 6 h query at 60 s scores ~750 rows for the 2 cpu series.
 */
export const HOSTILE_LIMITS: Record<string, number | string> = {
  maxSeriesPerQuery: 4,
  maxSamplesPerQuery: 5_000,
  maxPointsScoredPerQuery: 2_000,
  // Above 4 series' univariate training over 3 d at 15 s (17 281 rows x 11 feature columns), below a 4-series group
  // at lags=60 over 1 d (1 441 rows x 268).
  maxFeatureValuesPerModel: 250_000,
  bodyLimit: 65_536,
  // Above every answer the other cases read (all 10 series over 30 h at 60 s are ~540 KB in Prometheus' JSON), below
  // the same at 15 s (~2 MB) and InfluxDB's SELECT * over 70 h (~850 KB).
  maxUpstreamAnswerBytes: 614_400,
};

/** Short, so trickled requests are cut off quickly. */
export const HOSTILE_SERVER_YAML = 'server: { headersTimeout: 1s, requestTimeout: 2s }';
