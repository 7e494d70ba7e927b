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
        result = result.split(secret).join('[redacted]');
      }
    }
    return result;
  };
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
