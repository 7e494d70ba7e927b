/** Anything the harness starts: a server, a receiver, a proxy. */
export interface Stoppable {
  stop(): Promise<void> | void;
}

/**
 * Registers a jest afterEach that stops, newest first, everything passed to the returned function during the
 * test, so a failing start halfway through a test does not leave earlier servers running (and jest hanging).
 */
export function stopAfterEach(): <T extends Stoppable>(started: T) => T {
  const started: Stoppable[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    while (started.length > 0) {
      try {
        await started.pop()!.stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) {
      throw errors[0];
    }
  });
  return (server) => {
    started.push(server);
    return server;
  };
}
