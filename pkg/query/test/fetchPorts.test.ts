import { blockedPortProblem, fetchBlockedPorts } from '../src/upstreams/fetchPorts';

/** What Node's own fetch says of a port: 'bad port' when it refuses to try, else how the attempt ended. */
async function fetchOutcome(port: number): Promise<string> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
    return 'answered';
  } catch (error) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return cause?.message === 'bad port' ? 'bad port' : (cause?.code ?? String(error));
  }
}

describe('ports fetch refuses', () => {
  it("are exactly the ones Node's fetch refuses, checked against it (each listed port, and its neighbours are tried)", async () => {
    const listed = new Set(fetchBlockedPorts());
    for (const port of listed) {
      expect([port, await fetchOutcome(port)]).toEqual([port, 'bad port']);
    }
    // The neighbours of listed ports fetch does try (the connection is refused: nothing listens there, or answers).
    const neighbours = [...listed].flatMap((p) => [p - 1, p + 1]).filter((p) => p > 0 && !listed.has(p));
    for (const port of neighbours) {
      expect([port, await fetchOutcome(port)]).not.toEqual([port, 'bad port']);
    }
  });

  it('name the port and what to do; other ports, and URLs without a port, pass', () => {
    expect(blockedPortProblem(new URL('http://prometheus:6000'))).toBe(
      "port 6000 is one that fetch refuses to contact (the Fetch standard's bad ports): serve it on another port"
    );
    expect(blockedPortProblem(new URL('https://influx:10080/x'))).toContain('port 10080');
    for (const url of ['http://127.0.0.1:9090', 'http://prometheus', 'https://vm:443/select/0/prometheus']) {
      expect(blockedPortProblem(new URL(url))).toBeUndefined();
    }
  });
});
