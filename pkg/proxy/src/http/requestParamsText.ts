/**
 * Query strings and form bodies read as fastify reads them (fast-querystring), with three differences, each marking
 * the request as refused (requestParams answers 400 bad_data with the reason) instead of reading it another way:
 * - a parameter whose percent-encoding does not decode (a malformed escape, or bytes that are not UTF-8):
 *   fast-querystring keeps such a value undecoded, so `query=label_replace(…,"%E9t%C3%A9",…)` reached the upstream
 *   as those literal characters and the proxy ran another query than the client sent (a review); Prometheus answers
 *   400 for it (Go decodes the bytes, and PromQL refuses them as not UTF-8);
 * - a form body whose bytes are not UTF-8: decoded as text they became U+FFFD, and an InfluxQL query ran with
 *   `host = '\uFFFD'` (an attack review); Prometheus' lexer refuses such bytes;
 * - more than MAX_PARAMETERS parameters: a 1 MiB body of 262 000 `&a=1` held the event loop ~0.6 s a request,
 *   reading, forwarding and checking every one for secrets (an attack review). Go's net/url has a limit of its own
 *   for the same reason (10 000 by default since Go 1.24's security fix); Prometheus' API reads a few.
 */
import { isUtf8 } from 'node:buffer';
import { parse } from 'fast-querystring';

/** Set on the parsed parameters when the request is refused: what to tell the client. */
export const REFUSED = Symbol('refused parameters');

export type ParsedParams = Record<string, string | string[]> & { [REFUSED]?: string };

/** Parameters one request may hold, its URL's and its form body's each. */
export const MAX_PARAMETERS = 1000;

export function parseParamsText(text: string): ParsedParams {
  if (moreParametersThan(text, MAX_PARAMETERS)) {
    return refused(`more than ${MAX_PARAMETERS} parameters in one request's URL or form body`);
  }
  const params = parse(text) as ParsedParams;
  if (text.includes('%')) {
    const problem = firstUndecodable(text);
    if (problem !== undefined) {
      params[REFUSED] = problem;
    }
  }
  return params;
}

/** A form body (application/x-www-form-urlencoded) as its bytes came. */
export function parseFormBody(body: Buffer): ParsedParams {
  return isUtf8(body)
    ? parseParamsText(body.toString('utf8'))
    : refused('the form body is not UTF-8 text: percent-encode its parameters as UTF-8');
}

function refused(reason: string): ParsedParams {
  const params: ParsedParams = {};
  params[REFUSED] = reason;
  return params;
}

/** Whether `text` holds more than `limit` &-separated parameters (counted no further than the limit). */
function moreParametersThan(text: string, limit: number): boolean {
  let count = 1;
  for (let at = text.indexOf('&'); at >= 0 && count <= limit; at = text.indexOf('&', at + 1)) {
    count++;
  }
  return count > limit;
}

/** The first name or value of `text` whose percent-encoding does not decode to UTF-8, as a message. */
function firstUndecodable(text: string): string | undefined {
  for (const pair of text.split('&')) {
    if (!pair.includes('%')) {
      continue;
    }
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    for (const part of equals < 0 ? [pair] : [name, pair.slice(equals + 1)]) {
      if (decoded(part) === undefined) {
        // Named when its name is a name (a binary body, a gzip one sent as a form, has none worth echoing).
        const shownName = decoded(name) ?? '';
        const named = /^[\x21-\x7e]{1,64}$/.test(shownName) ? ` ${JSON.stringify(shownName)}` : '';
        return `invalid parameter${named}: its percent-encoding does not decode to UTF-8 text`;
      }
    }
  }
  return undefined;
}

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
