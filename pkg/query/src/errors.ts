/**
 * Errors in the Prometheus HTTP API's format, so that Grafana, vmalert and any Prometheus client show them as they
 * show Prometheus' own: `{"status":"error","errorType":"bad_data","error":"..."}` with a matching HTTP status.
 */

/** The errorType values Prometheus uses (api/v1), plus nothing of our own so clients recognise every one. */
export type PromErrorType =
  'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'unavailable' | 'not_found' | 'unauthorized';

export interface PromErrorBody {
  status: 'error';
  errorType: string;
  error: string;
}

export class PromApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorType: PromErrorType,
    message: string
  ) {
    super(message);
    this.name = 'PromApiError';
  }

  toBody(): PromErrorBody {
    return { status: 'error', errorType: this.errorType, error: this.message };
  }
}

/** 400 bad_data: the client sent something we cannot evaluate (parse errors, bad parameters, limits). */
export function badData(message: string): PromApiError {
  return new PromApiError(400, 'bad_data', message);
}

/** A parse error with its 0-based character position, worded like Prometheus 1.x/2.0 ("parse error at char N: ..."). */
export class QueryParseError extends PromApiError {
  constructor(
    readonly position: number,
    readonly reason: string
  ) {
    super(400, 'bad_data', `parse error at char ${position}: ${reason}`);
    this.name = 'QueryParseError';
  }
}

/**
 * 400 bad_data for a value written in the query: at its position when it has one (an option's value), else as
 * badData (a default from the config, a request parameter, which the message names).
 */
export function badDataAt(position: number | undefined, reason: string): PromApiError {
  return position === undefined ? badData(reason) : new QueryParseError(position, reason);
}

/**
 * An upstream answered with its own Prometheus error (or any non-2xx answer we pass on unchanged):
 * the proxy replies with the same status and body.
 */
export class UpstreamPassThroughError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly contentType: string,
    readonly body: string
  ) {
    super(`upstream answered HTTP ${httpStatus}`);
    this.name = 'UpstreamPassThroughError';
  }
}
