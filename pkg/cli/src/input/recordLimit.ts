/**
 * The most one record may take: a CSV or NDJSON line, a JSON array element. Far beyond any row of telemetry, and
 * well below what one string can hold (~512 MiB), so that an input without line breaks (a binary or minified file,
 * a line gone wrong) is refused with its line instead of failing deep inside Node or running out of memory.
 */
import { InputError } from '../errors';

const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** 64 MiB; TELEMETRY_ANALYZER_MAX_RECORD_BYTES may lower it (the tests do), never raise it. */
export const MAX_RECORD_BYTES = Math.min(
  DEFAULT_MAX_RECORD_BYTES,
  Number(process.env.TELEMETRY_ANALYZER_MAX_RECORD_BYTES) || DEFAULT_MAX_RECORD_BYTES
);

/** The error for a record over MAX_RECORD_BYTES, at the line where it starts. @param what e.g. `line 7` */
export function recordTooLong(source: string, line: number, what: string, column?: number): InputError {
  const limit =
    MAX_RECORD_BYTES % (1024 * 1024) === 0 ? `${MAX_RECORD_BYTES / (1024 * 1024)} MiB` : `${MAX_RECORD_BYTES} bytes`;
  return new InputError(
    { source, line, column },
    `${what} is longer than ${limit}, the most one record may take (a row of telemetry takes a few hundred bytes)`
  );
}
