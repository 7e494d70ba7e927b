/**
 * Removes configured secrets from any text that may reach a log line or a client (error messages, causes).
 *
 * `clientSent`: what the client's own request held (its URL, decoded, and its parameters). A secret found there is
 * left in a message to that client: it is the client's own text read back, and removing it would tell the client
 * that its guess is a configured secret (an oracle: 700 guesses a request confirmed passwords in a review's attack).
 * Logs are redacted without it.
 */
export function createRedactor(secrets: string[]): (text: string, clientSent?: readonly string[]) => string {
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
  const allForms = [...new Set([...forms, ...jsonForms])].sort((a, b) => b.length - a.length);
  return (text: string, clientSent: readonly string[] = []) => {
    let result = text;
    for (const secret of allForms) {
      if (!clientSent.some((sent) => sent.includes(secret))) {
        result = removeForm(result, secret);
      }
    }
    return result;
  };
}

/** What stands in for a secret. */
const REDACTED = '[redacted]';

/**
 * Forms shorter than this are removed only where they stand as a token of their own (no ASCII letter, digit, '.', '-'
 * or '_' right before or after): a short tenant id such as "1" (an `X-Scope-OrgID` header's value counts as a
 * secret) was removed from every number, address and path of every log line ("time":[redacted]796469058750,
 * 127.0.0.[redacted], /api/v[redacted]/query; an install review). Longer forms are removed wherever they occur.
 */
export const MIN_FREE_FORM_LENGTH = 8;

function removeForm(text: string, form: string): string {
  if (form.length >= MIN_FREE_FORM_LENGTH) {
    return text.split(form).join(REDACTED);
  }
  let result = '';
  let from = 0;
  for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
    if (at >= from && !isWordCharacter(text, at - 1) && !isWordCharacter(text, at + form.length)) {
      result += text.slice(from, at) + REDACTED;
      from = at + form.length;
    }
  }
  return from === 0 ? text : result + text.slice(from);
}

/** Whether text[at] joins what is next to it into one token: an ASCII letter or digit, '.', '-' or '_'. */
function isWordCharacter(text: string, at: number): boolean {
  const code = text.charCodeAt(at); // NaN outside the text
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 46 ||
    code === 45 ||
    code === 95
  );
}

/**
 * A log line writer's redaction: `redact` (createRedactor's) applied to the strings of a JSON line (its keys and
 * string values; numbers, which a short secret's digits may match, stay as they are), so the line stays JSON that
 * log shippers read. A line without anything to remove is returned as it is (the common case: no parse); a line
 * that is not JSON is redacted as text.
 */
export function createLogLineRedactor(redact: (text: string) => string): (line: string) => string {
  return (line: string) => {
    if (redact(line) === line) {
      return line;
    }
    const newline = line.endsWith('\n') ? '\n' : '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return redact(line);
    }
    return JSON.stringify(redactStrings(parsed, redact)) + newline;
  };
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
