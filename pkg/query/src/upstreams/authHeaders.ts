import type { UpstreamAuth } from '../config';

/** The request headers an upstream's (or a remote-write target's) `auth` block asks for. */
export function authHeaders(auth: UpstreamAuth): Record<string, string> {
  const headers: Record<string, string> = { ...(auth.headers ?? {}) };
  if (auth.basic) {
    headers.authorization = `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
  } else if (auth.bearer) {
    headers.authorization = `Bearer ${auth.bearer.token}`;
  }
  return headers;
}
