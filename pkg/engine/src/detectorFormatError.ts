import { ModelFormatError } from './modelFormat';

/**
 * A ModelFormatError about the detector's own part of a model file (options, scaler, feature names), so hosts
 * catch one error class for every unreadable model, but the message says which part is broken.
 */
export function detectorFormatError(message: string): ModelFormatError {
  const error = new ModelFormatError(message);
  error.message = `Invalid anomaly detector model: ${message}`;
  return error;
}
