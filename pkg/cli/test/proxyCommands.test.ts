/**
 * The commands that share the proxy's contract: `serve` reports a bad proxy config as bad input (exit 2, the
 * proxy's ConfigError recognised by class, not by name), and `generate` reads durations with the one duration
 * grammar of the panel, the proxy and Grafana (engine src/contract/durations.ts): units descending, each once.
 */
import { readFileSync, writeFileSync } from 'fs';
import { createServer, type AddressInfo } from 'net';
import { join } from 'path';
import { filesIn, runCli, tempDir } from './cliHarness';

const work = tempDir('cli-proxy-');

describe('serve', () => {
  it('exits 2 with every problem of an invalid config file, each on a line of its own and whole', () => {
    const config = join(work, 'proxy.yaml');
    // Ten problems, ~1 000 characters in all: none is cut or left out.
    const upstreams = Array.from(
      { length: 8 },
      (_, i) =>
        `  u${i}: { type: prometheus, url: "http://127.0.0.1:47", auth: { bearer: { token: "\${UNSET_${i}}" } } }`
    );
    writeFileSync(config, `listen: {port: -1}\nupstreams:\n${upstreams.join('\n')}\n`);
    const run = runCli(['serve', '--config', config]);
    expect(run.status).toBe(2);
    const [head, ...problems] = run.stderr.trimEnd().split('\n');
    expect(head).toBe(`telemetry-analyzer: ${config}: invalid proxy configuration (10 problems):`);
    expect(problems).toHaveLength(10);
    for (let i = 0; i < 8; i++) {
      // An unset variable once, at its place, not again as a missing value.
      expect(problems).toContainEqual(
        `  - ${config}:${i + 3}:${upstreams[i].indexOf('"${') + 1}: upstreams.u${i}.auth.bearer.token: environment variable UNSET_${i} is not set`
      );
    }
    expect(run.stderr).not.toMatch(/more characters|token: required/);
  });

  it.each([
    [
      'taken by another process',
      (port: number) => `127.0.0.1:${port}`,
      /127\.0\.0\.1:\d+ is already in use .*\(EADDRINUSE\)$/,
    ],
    ['not an address of this machine', () => '192.0.2.1:9095', /192\.0\.2\.1:9095 is not an address of this machine/],
  ])('exits 2 naming the config file when its listen address is %s', async (_, listen, message) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const config = join(work, 'listen.yaml');
      const port = (taken.address() as AddressInfo).port;
      writeFileSync(
        config,
        `listen: '${listen(port)}'\nupstreams:\n  prom: { type: prometheus, url: "http://127.0.0.1:47" }\n` +
          `modelStore: { directory: ${JSON.stringify(join(work, 'models'))} }\n`
      );
      const run = runCli(['serve', '--config', config], undefined, { killAfterMs: 60_000 });
      expect(run.status).toBe(2);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[lines.length - 1]).toMatch(new RegExp(`^telemetry-analyzer: ${config}: listen: `));
      expect(lines[lines.length - 1]).toMatch(message);
      expect(run.stderr).not.toMatch(/internal error/);
    } finally {
      taken.close();
    }
  });
});

describe('serve with a model store it cannot write', () => {
  it('exits 2 naming the directory and what to do, before listening (not a warning per model lost)', () => {
    // Under a regular file: no directory can be made there, whoever runs the test (root included).
    const blocker = join(work, 'not-a-directory');
    writeFileSync(blocker, '');
    const directory = join(blocker, 'models');
    const config = join(work, 'store.yaml');
    writeFileSync(
      config,
      `listen: '127.0.0.1:0'\nupstreams:\n  prom: { type: prometheus, url: "http://127.0.0.1:47" }\n` +
        `modelStore: { directory: ${JSON.stringify(directory)} }\n`
    );
    const run = runCli(['serve', '--config', config], undefined, { killAfterMs: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd()).toBe(
      `telemetry-analyzer: ${config}: modelStore.directory: cannot write models to ${directory} (ENOTDIR): create ` +
        'it and give it to the user the process runs as, or choose another directory'
    );
  });
});

describe('generate', () => {
  it.each(['30s1m', '1m1m', '1.5m', '15'])(
    'refuses --step %s (not a duration of the shared grammar), exit 2',
    (step) => {
      const run = runCli(['generate', '--step', step]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`expected a duration such as 15s, 5m, 1h30m or 1d, got "${step}"`);
    }
  );

  it('writes --openmetrics-file whole, creating its directory as the other commands create theirs', () => {
    const directory = tempDir('cli-openmetrics-');
    const file = join(directory, 'new-directory', 'backfill.om');
    const run = runCli(['generate', '--backfill', '1h', '--openmetrics-file', file]);
    expect(run.status).toBe(0);
    expect(filesIn(join(directory, 'new-directory'))).toEqual(['backfill.om']);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# HELP /);
    expect(lines[lines.length - 1]).toBe('# EOF');
  });

  it('says which --openmetrics-file it cannot write, exit 2, and leaves no temporary file', () => {
    const directory = tempDir('cli-openmetrics-');
    const notADirectory = join(directory, 'a-file');
    writeFileSync(notADirectory, 'kept\n');
    const file = join(notADirectory, 'backfill.om');
    const run = runCli(['generate', '--backfill', '1h', '--openmetrics-file', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${notADirectory}: is not a directory`);
    expect(filesIn(directory)).toEqual(['a-file']);
    expect(readFileSync(notADirectory, 'utf8')).toBe('kept\n');
  });

  it('refuses an --influx-url on a port fetch never contacts, exit 2, before writing anything', () => {
    const run = runCli(['generate', '--influx-url', 'http://127.0.0.1:6000', '--backfill', '1h']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--influx-url: port 6000 is one that fetch refuses to contact');
  });
});
