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

/**
 * Starts something on `count` distinct free ports, and again on new ones when a port was taken between the probe and
 * the bind (its error says "address already in use"), at most `attempts` times. Two probes in a row may be handed
 * the same port (the first probe has closed), and a busy CI machine's other tests take ports too: a CI run lost
 * influxd to "bind: address already in use".
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await findFreePort();
      if (!ports.includes(port)) {
        ports.push(port);
      }
    }
    try {
      return await start(ports);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= attempts || !/address already in use|EADDRINUSE/i.test(message)) {
        throw error;
      }
    }
  }
}
