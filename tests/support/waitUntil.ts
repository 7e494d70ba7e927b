/**
 * Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs` with `describe()`
 * and the last error the probe threw (servers refuse connections while starting, so errors are retried).
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe: () => string }
): Promise<T> {
  const budgetMs = waitBudget(options.timeoutMs);
  const deadline = Date.now() + budgetMs;
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
      throw new Error(`timed out after ${budgetMs} ms waiting for ${options.describe()}${cause}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/**
 * The deadline of a wait for a state: `ms` (what the state takes on an idle machine, with room) times
 * TEST_WAIT_SCALE (default 4). Deadlines only stop a test that would hang; they are never a timing requirement, so
 * a busy machine (CI beside other jobs: load 8 on 2 cores) must not fail them. Jest's per-project test timeout
 * (pkg/jest.timeout.js) bounds the whole test.
 */
export function waitBudget(ms: number): number {
  const scale = Number(process.env.TEST_WAIT_SCALE);
  return ms * (Number.isFinite(scale) && scale > 0 ? scale : 4);
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
