import { EngineInputError } from '@telemetry-analyzer/engine';
import { InputError, type InputLocation } from '../errors';

/**
 * Runs an engine call and turns its EngineInputError (too few rows, constant column, ...) into an InputError at
 * `where`, so the user sees the file, not the engine's internals.
 */
export function withEngineErrors<T>(
  where: (error: EngineInputError) => InputLocation,
  prefix: string,
  call: () => T
): T {
  try {
    return call();
  } catch (error) {
    throw asInputError(error, where, prefix);
  }
}

/** `error` as withEngineErrors throws it: an EngineInputError as an InputError at `where`, anything else as it is. */
export function asInputError(
  error: unknown,
  where: (error: EngineInputError) => InputLocation,
  prefix: string
): unknown {
  return error instanceof EngineInputError ? new InputError(where(error), `${prefix}${error.message}`) : error;
}
