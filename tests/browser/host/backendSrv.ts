/**
 * Grafana's BackendSrv (public/app/core/services/backend_srv.ts) is not in any npm package; plugins reach it through
 * @grafana/runtime's getBackendSrv(). This stand-in sends the same HTTP requests Grafana's would — same origin, JSON
 * bodies with Content-Type application/json, the X-Grafana-Org-Id header, query params — so a test server behind
 * the host page sees what Grafana's API would see. It answers FetchResponse-shaped values and fails with
 * FetchError-shaped values ({ status, statusText, data, config }) on non-2xx answers, as Grafana's does.
 * Not covered: retries after a session refresh, the error/success toasts, the query inspector, chunked responses.
 */
import { type BackendSrv, type BackendSrvRequest, type FetchError, type FetchResponse, config } from '@grafana/runtime';
import { Observable, lastValueFrom } from 'rxjs';

function requestUrl({ url, params }: BackendSrvRequest): string {
  const resolved = new URL(url, `${window.location.origin}/`);
  for (const [name, value] of Object.entries(params ?? {})) {
    // Grafana repeats array parameters (?a=1&a=2) and leaves out undefined ones.
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) {
        resolved.searchParams.append(name, String(item));
      }
    }
  }
  return resolved.href;
}

function requestInit(options: BackendSrvRequest, signal: AbortSignal): RequestInit {
  const headers = new Headers({ Accept: 'application/json, text/plain, */*' });
  const orgId = config.bootData?.user?.orgId;
  if (orgId !== undefined) {
    headers.set('X-Grafana-Org-Id', String(orgId));
  }
  let body: BodyInit | undefined;
  if (options.data !== undefined) {
    const isRawBody =
      typeof options.data === 'string' || options.data instanceof Blob || options.data instanceof FormData;
    body = isRawBody ? (options.data as BodyInit) : JSON.stringify(options.data);
    if (!isRawBody) {
      headers.set('Content-Type', 'application/json');
    }
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers.set(name, String(value));
  }
  return {
    method: (options.method ?? 'GET').toUpperCase(),
    headers,
    body,
    credentials: options.credentials ?? 'same-origin',
    signal,
  };
}

/** JSON when the body is JSON (Grafana's API always answers JSON), else the text; undefined for an empty body. */
async function readBody(response: Response, responseType: BackendSrvRequest['responseType']): Promise<unknown> {
  if (responseType === 'blob') {
    return response.blob();
  }
  if (responseType === 'arraybuffer') {
    return response.arrayBuffer();
  }
  const text = await response.text();
  if (text === '' || responseType === 'text') {
    return text === '' ? undefined : text;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fetchError(response: Response, data: unknown, options: BackendSrvRequest): FetchError {
  // Grafana wraps a plain-text error body so that callers can always read data.message.
  const errorData = typeof data === 'string' ? { message: data, error: response.statusText } : (data ?? {});
  return { status: response.status, statusText: response.statusText, data: errorData, config: options };
}

function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const abort = new AbortController();
    options.abortSignal?.addEventListener('abort', () => abort.abort());
    (async () => {
      const response = await window.fetch(requestUrl(options), requestInit(options, abort.signal));
      const data = await readBody(response, options.responseType);
      if (!response.ok) {
        subscriber.error(fetchError(response, data, options));
        return;
      }
      subscriber.next({
        data: data as T,
        status: response.status,
        statusText: response.statusText,
        ok: response.ok,
        headers: response.headers,
        redirected: response.redirected,
        type: response.type,
        url: response.url,
        config: options,
      });
      subscriber.complete();
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) {
        // A network failure: Grafana reports it as a FetchError without an HTTP status.
        subscriber.error({ status: 0, statusText: String(error), data: { message: String(error) }, config: options });
      }
    });
    return () => abort.abort();
  });
}

function unsupported(method: string): never {
  throw new Error(`BackendSrv.${method} is not implemented by the browser test host`);
}

export function createBackendSrv(): BackendSrv {
  const request = async <T>(options: BackendSrvRequest): Promise<T> =>
    (await lastValueFrom(fetchObservable<T>(options))).data;
  return {
    fetch: fetchObservable,
    request,
    datasourceRequest: (options) => lastValueFrom(fetchObservable(options)),
    get: (url, params, requestId, options) => request({ ...options, url, params, requestId, method: 'GET' }),
    delete: (url, data, options) => request({ ...options, url, data, method: 'DELETE' }),
    post: (url, data, options) => request({ ...options, url, data, method: 'POST' }),
    patch: (url, data, options) => request({ ...options, url, data, method: 'PATCH' }),
    put: (url, data, options) => request({ ...options, url, data, method: 'PUT' }),
    chunked: () => unsupported('chunked'),
  };
}
