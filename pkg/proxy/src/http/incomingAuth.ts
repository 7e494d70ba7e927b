/** Optional authentication of clients (Grafana, vmalert): bearer tokens and/or basic-auth users from the config. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingAuth } from '../config';

/** Constant-time comparison; hashing first makes the lengths equal so length is not leaked either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when the Authorization header carries a configured bearer token or basic user. */
export function isAuthorized(auth: IncomingAuth, header: string | undefined): boolean {
  if (!header) {
    return false;
  }
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const credentials = rest.join(' ');
  if (/^bearer$/i.test(scheme)) {
    // Check every token (no early exit) so timing does not reveal which one matched.
    return auth.bearerTokens.map((token) => sameSecret(credentials, token)).includes(true);
  }
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      return false;
    }
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return auth.basicUsers
      .map((user) => sameSecret(username, user.username) && sameSecret(password, user.password))
      .includes(true);
  }
  return false;
}
