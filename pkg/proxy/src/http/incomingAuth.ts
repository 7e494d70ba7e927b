/** Optional authentication of clients (Grafana, vmalert): bearer tokens and/or basic-auth users from the config. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingAuth } from '../config';

/** Constant-time comparison; hashing first makes the lengths equal so length is not leaked either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Whether a request needs credentials, decided on the route the router matched (`routeOptions.url`, after it has
 * decoded and normalised the URL, absolute-form targets included) and never on the raw URL, so no spelling of a
 * path reaches a route with other rules than the router's. Deny by default: unmatched requests need them too.
 */
export function needsCredentials(auth: IncomingAuth, matchedRoute: string | undefined): boolean {
  return matchedRoute === undefined || !auth.unauthenticatedPaths.includes(matchedRoute);
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
