/**
 * Removes configured secrets from any text that may reach a log line or a client (error messages, causes).
 *
 * `clientSent`: what the client's own request held (its URL, decoded, and its parameters). A secret found there is
 * left in a message to that client: it is the client's own text read back, and removing it would tell the client
 * that its guess is a configured secret (an oracle: 700 guesses a request confirmed passwords in a review's attack).
 * Logs are redacted without it.
 */
export function createRedactor(secrets: string[]): (text: string, clientSent?: readonly string[]) => string {
  const forms = secretForms(secrets);
  return (text: string, clientSent: readonly string[] = []) => {
    let result = text;
    for (const secret of forms) {
      if (!clientSent.some((sent) => sent.includes(secret))) {
        result = removeEverywhere(result, secret);
      }
    }
    return result;
  };
}

/**
 * A log line writer's redaction, for JSON lines (pino's): every form of the secrets removed from the line's strings,
 * its keys and string values, never from its numbers, so the line stays JSON that log shippers read. Forms shorter
 * than MIN_FREE_FORM_LENGTH are removed only where they stand as a token of their own (see tokenStartsAt). A line
 * that holds no form is returned as it is (the common case: no parse); one that is not JSON is redacted as text, every
 * form wherever it is.
 */
export function createLogLineRedactor(secrets: string[]): (line: string) => string {
  const forms = secretForms(secrets);
  const inString = logTextRedactor(forms);
  return (line: string) => {
    if (!forms.some((form) => line.includes(form))) {
      return line;
    }
    const newline = line.endsWith('\n') ? '\n' : '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return forms.reduce(removeEverywhere, line);
    }
    let changed = false;
    const redacted = redactStrings(parsed, (text) => {
      const result = inString(text);
      changed ||= result !== text;
      return result;
    });
    // Nothing removed (a short form inside numbers and words only): the line as it was written, its numbers too.
    return changed ? JSON.stringify(redacted) + newline : line;
  };
}

/**
 * What a log line's string gets: every form of the secrets removed, those shorter than MIN_FREE_FORM_LENGTH only as
 * tokens of their own (a URL for the request line: its path and query are left whole around a tenant id "1").
 */
export function createLogTextRedactor(secrets: string[]): (text: string) => string {
  return logTextRedactor(secretForms(secrets));
}

function logTextRedactor(forms: string[]): (text: string) => string {
  return (text: string) => forms.reduce((result, form) => removeForm(result, form), text);
}

/** Every form a secret may take in a text (as written, base64 of basic auth, percent-encoded, JSON-escaped), longest first. */
function secretForms(secrets: string[]): string[] {
  // Longest first, so a secret that contains another is removed whole.
  const ordered = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  const basicForms = ordered.map((s) => Buffer.from(s).toString('base64')).filter((s) => s.length >= 4);
  const forms = [...ordered, ...basicForms, ...ordered.flatMap(percentForms)];
  // As a JSON string holds them (an upstream's JSON error quoting one): " \ / and control characters escaped, and
  // Go's encoding/json also escapes < > & and U+2028/9 as \u003c \u003e \u0026 \u2028 \u2029.
  const jsonForms = forms.flatMap((s) => {
    const json = JSON.stringify(s).slice(1, -1);
    const go = json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return [json, go].flatMap((form) => [form, form.replace(/\//g, '\\/')]);
  });
  // Longest first again, so a form that contains another is removed whole.
  return [...new Set([...forms, ...jsonForms])].sort((a, b) => b.length - a.length);
}

/** What stands in for a secret. */
const REDACTED = '[redacted]';

/**
 * In log lines, forms shorter than this are removed only where they stand as a token of their own: a short tenant id
 * such as "1" (an `X-Scope-OrgID` header's value counts as a secret) was removed from every number, address and path
 * of every log line ("time":[redacted]796469058750, 127.0.0.[redacted], /api/v[redacted]/query; an install review).
 * Longer forms are removed wherever they occur.
 */
export const MIN_FREE_FORM_LENGTH = 8;

function removeEverywhere(text: string, form: string): string {
  return text.split(form).join(REDACTED);
}

function removeForm(text: string, form: string): string {
  if (form.length >= MIN_FREE_FORM_LENGTH) {
    return removeEverywhere(text, form);
  }
  let result = '';
  let from = 0;
  for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
    if (at >= from && !joinsBefore(text, at) && !joinsAfter(text, at + form.length)) {
      result += text.slice(from, at) + REDACTED;
      from = at + form.length;
    }
  }
  return from === 0 ? text : result + text.slice(from);
}

/**
 * Whether text[at - 1] makes what starts at `at` part of a longer token: an ASCII letter or digit that does not end
 * an escape (\u003c, %3D, \n: the escaped character is the neighbour, not the letter), or '.', '-', '_' between such
 * a character and `at` (127.0.0.1, web-1; but "pw12345." ends a sentence).
 */
function joinsBefore(text: string, at: number): boolean {
  const code = text.charCodeAt(at - 1);
  if (isAlphanumeric(code)) {
    const before = text.slice(Math.max(0, at - 6), at);
    return !/(\\u[0-9a-fA-F]{4}|%[0-9a-fA-F]{2}|\\[nrtbf])$/.test(before);
  }
  return isJoiner(code) && isAlphanumeric(text.charCodeAt(at - 2));
}

/** Whether text[end] makes what ends before it part of a longer token (as joinsBefore, on the other side). */
function joinsAfter(text: string, end: number): boolean {
  const code = text.charCodeAt(end);
  return isAlphanumeric(code) || (isJoiner(code) && isAlphanumeric(text.charCodeAt(end + 1)));
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** '.', '-', '_': inside a number, an address, a host name or a word. */
function isJoiner(code: number): boolean {
  return code === 46 || code === 45 || code === 95;
}

function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') {
    return redact(value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => redactStrings(item, redact));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactStrings(item, redact)]));
  }
  return value;
}

/**
 * A secret as a URL or a form carries it (an upstream quoting its request URL): percent-encoded as JavaScript does
 * and as Go's url.QueryEscape does (also ! ' ( ) *), spaces as %20 or +, hex digits in either case.
 */
function percentForms(secret: string): string[] {
  const javascript = encodeURIComponent(secret);
  const go = javascript.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [javascript, go]
    .flatMap((form) => [form, form.replace(/%20/g, '+')])
    .flatMap((form) => [form, form.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())])
    .filter((form) => form !== secret);
}
