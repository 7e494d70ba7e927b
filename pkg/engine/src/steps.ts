/**
 * Work in steps: the engine's long computations (building features, fitting, scoring many rows) also exist as
 * generators that yield between bounded steps and return exactly what the one-call version returns. A host that
 * must give its thread back (a browser's main thread) calls next() until done and does other work in between; the
 * one-call versions run the same generators to the end (runSteps), so both give identical results.
 */
export type Steps<T> = Generator<void, T>;

/** Runs steps to the end, without pausing; returns their result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) {
      return step.value;
    }
  }
}
