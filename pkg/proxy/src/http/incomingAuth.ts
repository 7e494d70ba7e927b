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

/**
 * True when the Authorization header carries a configured bearer token or basic user: `<scheme> <credentials>`,
 * the scheme in any case (RFC 9110), the credentials exactly as configured (bearer) or canonical base64 of
 * `user:password` (basic; the password may hold colons). Base64 with other characters, missing padding or stray
 * bits is refused, as Go's net/http (Prometheus) refuses it: only one spelling of a credential is accepted.
 */
export function isAuthorized(auth: IncomingAuth, header: string | undefined): boolean {
  // (Not trimmed: node:http already strips spaces and tabs around a value; anything else around the credentials,
  // a no-break space, say, makes them other credentials.)
  const parsed = header === undefined ? null : /^(\S+)[ \t]+(\S.*)$/.exec(header);
  if (!parsed) {
    return false;
  }
  const [, scheme, credentials] = parsed;
  if (/^bearer$/i.test(scheme)) {
    // Check every token (no early exit) so timing does not reveal which one matched.
    return auth.bearerTokens.map((token) => sameSecret(credentials, token)).includes(true);
  }
  const decoded = /^basic$/i.test(scheme) ? canonicalBase64(credentials) : undefined;
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === undefined || colon < 0) {
    return false;
  }
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // Both compared for every user (no && short cut), so timing does not reveal a valid user name either.
  return auth.basicUsers
    .map((user) => [sameSecret(username, user.username), sameSecret(password, user.password)].every(Boolean))
    .includes(true);
}

/** The UTF-8 text of `text` when it is base64 exactly as it would be encoded (padding included), else undefined. */
function canonicalBase64(text: string): string | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes.toString('utf8') : undefined;
}
