/**
 * Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs` with `describe()`
 * and the last error the probe threw (servers refuse connections while starting, so errors are retried).
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe: () => string }
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined) {
        return result;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : `\nlast error: ${errorMessage(lastError)}`;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.describe()}${cause}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // fetch() hides the useful part (ECONNREFUSED, ...) in `cause`.
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
