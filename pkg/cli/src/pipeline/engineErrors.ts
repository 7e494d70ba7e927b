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
    if (error instanceof EngineInputError) {
      throw new InputError(where(error), `${prefix}${error.message}`);
    }
    throw error;
  }
}
