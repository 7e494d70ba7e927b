/** Argument check shared by the feature functions: `value` must be an integer, and >= `min` when given. */
export function requireInteger(name: string, value: number, min?: number): void {
  if (!Number.isInteger(value) || (min !== undefined && value < min)) {
    throw new RangeError(`${name} must be an integer${min !== undefined ? ` >= ${min}` : ''}, got ${value}`);
  }
}
