/**
 * Ports the Fetch standard blocks ("bad ports", https://fetch.spec.whatwg.org/#port-blocking): Node's fetch, which the
 * upstream, remote-write and InfluxDB clients use, refuses them with "fetch failed: bad port" at every request. A
 * configuration naming one is refused when it is read, with the reason, instead.
 */
const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why fetch cannot reach `url`'s port, or undefined when it can. */
export function blockedPortProblem(url: URL): string | undefined {
  const port = Number(url.port);
  return url.port !== '' && FETCH_BLOCKED_PORTS.has(port)
    ? `port ${port} is one that fetch refuses to contact (the Fetch standard's bad ports): serve it on another port`
    : undefined;
}

/** The ports blocked, for the test that checks them against Node's own fetch. */
export const fetchBlockedPorts = (): number[] => [...FETCH_BLOCKED_PORTS];
