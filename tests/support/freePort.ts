import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: the OS picks one for a throwaway listener.
 * Another process could take it before the caller binds it, which is rare enough for tests.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') {
        probe.close();
        reject(new Error('could not read the port of a probe listener on 127.0.0.1'));
        return;
      }
      probe.close(() => resolve(address.port));
    });
  });
}
