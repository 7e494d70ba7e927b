/**
 * `run` (the writer, pkg/writer): a bad writer config or a bad --shard is bad input (exit 2, every problem on one
 * line), as `serve` treats a bad proxy config.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { runCli, tempDir } from './cliHarness';

const work = tempDir('cli-run-');

describe('run', () => {
  it('exits 2 with every problem of an invalid writer config on one line', () => {
    const config = join(work, 'writer.yaml');
    writeFileSync(
      config,
      'upstreams: { prom: { type: prometheus, url: "http://127.0.0.1:9" } }\n' +
        'remoteWrite: { url: "http://127.0.0.1:9/api/v1/write" }\n' +
        'jobs: [{ name: cpu, query: cpu, options: { train: 1d } }]\n'
    );
    const run = runCli(['run', '--config', config]);
    expect(run.status).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/invalid writer configuration: .*jobs\[0\]\.options\.train: set by the schedule/);
  });

  it.each(['--to', '--output'])('refuses %s without --from (they belong to a backfill)', (option) => {
    const run = runCli(['run', '--config', join(work, 'none.yaml'), option, '2026-12-01T00:00:00Z']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${option}: needs --from (a backfill range)`);
  });

  it('refuses a --shard that is not i/N', () => {
    const run = runCli(['run', '--config', join(work, 'none.yaml'), '--shard', '3/3']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--shard: expected i/N with 0 <= i < N, got "3/3"');
  });
});
