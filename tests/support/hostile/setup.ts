/** Credentials and limits of the proxy the hostile corpus runs against. */
export const PROXY_TOKEN = 'hostile-corpus-token';
export const AUTHORIZED = { authorization: `Bearer ${PROXY_TOKEN}` };

export const influxAdmin = { username: 'admin', password: 'admin-secret' };
/** What docs/proxy.md tells operators to give the proxy: READ on its database and nothing else. */
export const influxReader = { username: 'proxy_reader', password: 'reader-secret' };

/** The documented defaults, except where a lower value keeps a case cheap to refuse. */
export const HOSTILE_LIMITS: Record<string, number | string> = {};
