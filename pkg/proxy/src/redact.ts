import { spelledStrings } from '@telemetry-analyzer/query';

/**
 * What a request sent, as redaction compares it: the URL as sent and decoded, every parameter value, and the strings
 * a value spells with escapes, decoded as PromQL and InfluxQL decode them (spelledStrings).
 */
export function clientSentText(url: string, ...parameters: unknown[]): string[] {
  const texts = [url, decodedUrl(url)];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      texts.push(value, ...spelledStrings(value));
    } else if (Array.isArray(value)) {
      value.forEach(collect);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(collect);
    }
  };
  parameters.forEach(collect);
  return texts;
}

/** A URL for the log line: as it came, or with its query string replaced whole and its path redacted when either
 * holds a secret (sent as is or percent-encoded). */
export function redactedUrl(url: string, redact: (text: string) => string): string {
  const decoded = decodedUrl(url);
  if (redact(url) === url && redact(decoded) === decoded) {
    return url;
  }
  const [path] = url.split('?');
  // A path may spell a secret in any percent-encoding (%74ok, %2D): the decoded path is what gets redacted then.
  const decodedPath = decodedUrl(path);
  return `${redact(decodedPath) === decodedPath ? redact(path) : redact(decodedPath)}?[redacted]`;
}

function decodedUrl(url: string): string {
  try {
    return decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return url;
  }
}
