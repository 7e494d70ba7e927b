/**
 * Query strings and form bodies read as fastify reads them (fast-querystring), with one difference: a parameter
 * whose percent-encoding does not decode (a malformed escape, or bytes that are not UTF-8) is marked, not kept as it
 * was sent. fast-querystring keeps such a value undecoded, so `query=label_replace(…,"%E9t%C3%A9",…)` reached the
 * upstream as those literal characters and the proxy ran another query than the client sent (a review); Prometheus
 * answers 400 for it (Go decodes the bytes, and PromQL refuses them as not UTF-8). requestParams refuses a marked
 * request with a 400 naming the parameter.
 */
import { parse } from 'fast-querystring';

/** Set on the parsed parameters when one of them does not decode: what to tell the client. */
export const UNDECODABLE = Symbol('undecodable parameter');

export type ParsedParams = Record<string, string | string[]> & { [UNDECODABLE]?: string };

export function parseParamsText(text: string): ParsedParams {
  const params = parse(text) as ParsedParams;
  if (text.includes('%')) {
    const problem = firstUndecodable(text);
    if (problem !== undefined) {
      params[UNDECODABLE] = problem;
    }
  }
  return params;
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
