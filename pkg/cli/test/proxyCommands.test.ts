/**
 * The commands that share the proxy's contract: `serve` reports a bad proxy config as bad input (exit 2, the
 * proxy's ConfigError recognised by class, not by name), and `generate` reads durations with the one duration
 * grammar of the panel, the proxy and Grafana (engine src/contract/durations.ts): units descending, each once.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { runCli, tempDir } from './cliHarness';

const work = tempDir('cli-proxy-');

describe('serve', () => {
  it('exits 2 with every problem of an invalid config file on one line', () => {
    const config = join(work, 'proxy.yaml');
    writeFileSync(config, 'listen: {port: -1}\nupstreams: {}\n');
    const run = runCli(['serve', '--config', config]);
    expect(run.status).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^telemetry-analyzer: .*proxy\.yaml.*invalid proxy configuration: /);
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
});
