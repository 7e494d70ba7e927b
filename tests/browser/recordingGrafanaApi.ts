/**
 * A stand-in for Grafana's HTTP API behind the host page (the static server hands it every /api/* request): canned
 * answers per "METHOD path", and a record of every request exactly as it arrived — method, path as sent (still
 * URL-encoded), query, headers (lower-case names, as node:http gives them) and the JSON body — so a test can assert
 * what the plugin sent to Grafana. A request without an answer gets Grafana's 404 shape, { message: "Not found" }.
 */
import type http from 'node:http';

export interface RecordedRequest {
  method: string;
  /** As sent, e.g. /api/v1/provisioning/folder/f1/rule-groups/Anomaly%20detection%20every%205m */
  path: string;
  /** The query string without "?", empty when there is none. */
  query: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when there is no body. */
  body: unknown;
}

export interface CannedAnswer {
  status: number;
  body?: unknown;
}

/** A fixed answer, or one computed from the request (e.g. echoing the created rule with its new uid). */
export type Answer = CannedAnswer | ((request: RecordedRequest) => CannedAnswer);

function parseBody(text: string): unknown {
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class RecordingGrafanaApi {
  readonly requests: RecordedRequest[] = [];
  private readonly answers = new Map<string, Answer>();

  /** Sets (or replaces) the answer to `METHOD path`; path as the client sends it (URL-encoded). */
  answer(method: string, path: string, answer: Answer): this {
    this.answers.set(`${method.toUpperCase()} ${path}`, answer);
    return this;
  }

  /** The recorded requests to one endpoint, in the order they arrived. */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && r.path === path);
  }

  /** For StaticServer.apiHandler. */
  readonly handle = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const [path, query = ''] = (request.url ?? '/').split('?', 2);
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path,
        query,
        headers: request.headers,
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
      };
      this.requests.push(recorded);
      const answer = this.answers.get(`${recorded.method} ${path}`);
      const { status, body } =
        typeof answer === 'function' ? answer(recorded) : (answer ?? { status: 404, body: { message: 'Not found' } });
      const text = body === undefined ? '' : JSON.stringify(body);
      response.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      response.end(text);
    });
  };
}
