/**
 * `run` (the writer, pkg/writer): a bad writer config or a bad --shard is bad input (exit 2, one problem on the
 * line, several one per line, each at its file:line:column), as `serve` treats a bad proxy config; a refused config writes nothing.
 */
import { closeSync, existsSync, lstatSync, openSync, writeFileSync, writeSync } from 'fs';
import { execFile, spawnSync } from 'child_process';
import { createServer as createHttpServer } from 'http';
import { createServer, type AddressInfo } from 'net';
import { join } from 'path';
import { outputWriteFailure } from '../src/commands/run';
import { CLI, filesIn, runCli, tempDir } from './cliHarness';

const work = tempDir('cli-run-');

/** A writer.yaml in a fresh directory: upstream and target on 127.0.0.1:47 (nothing listens there), then `jobs`. */
function writerConfigWith(jobs: string): { dir: string; config: string } {
  const dir = tempDir('cli-run-job-');
  const config = join(dir, 'writer.yaml');
  writeFileSync(
    config,
    'upstreams:\n  prom: { type: prometheus, url: "http://127.0.0.1:47" }\n' +
      'remoteWrite:\n  url: "http://127.0.0.1:47/api/v1/write"\n' +
      jobs
  );
  return { dir, config };
}

describe('run', () => {
  it('exits 2 with the one problem of an invalid writer config on one line', () => {
    const config = join(work, 'writer.yaml');
    writeFileSync(
      config,
      'upstreams: { prom: { type: prometheus, url: "http://127.0.0.1:47" } }\n' +
        'remoteWrite: { url: "http://127.0.0.1:47/api/v1/write" }\n' +
        'jobs: [{ name: cpu, query: cpu, options: { train: 1d } }]\n'
    );
    const run = runCli(['run', '--config', config]);
    expect(run.status).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/invalid writer configuration: .*jobs\[0\]\.options\.train: set by the schedule/);
  });

  it.each([
    [
      'a bad value',
      'jobs:\n  - name: cpu\n    query: cpu\n    schedule: { infer_every: 1x }\n',
      /writer\.yaml:8:30: jobs\[0\]\.schedule\.infer_every: must be a positive duration/,
    ],
    [
      'an unknown key',
      'jobs:\n  - name: cpu\n    query: cpu\n    shedule: { infer_every: 1m }\n',
      /writer\.yaml:8:14: jobs\[0\]\.shedule: unknown key/,
    ],
    [
      'a query the anomaly grammar refuses',
      'jobs:\n  - name: cpu\n    query: cpu{\n',
      /writer\.yaml:7:12: jobs\[0\]\.query: not a valid anomaly query .*\(in anomaly_score\(cpu\{\)\)/,
    ],
    ['broken YAML', 'jobs:\n  - name: cpu\n   query: [cpu\n', /writer\.yaml:7:\d+: not valid YAML: /],
  ])('names %s by file:line:column, exits 2 and writes no backfill file', (_, jobs, expected) => {
    const { dir, config } = writerConfigWith(jobs);
    const output = join(dir, 'backfill.om');
    const run = runCli(['run', '--config', config, '--from', '2026-11-01T00:00:00Z', '--output', output]);
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(expected);
    expect(filesIn(dir)).toEqual(['writer.yaml']);
  });

  it('says an unreachable upstream is unreachable (exit 1, not an internal error) and writes no backfill file', () => {
    // Port 9 (discard) has no listener here: the connection is refused for real.
    const { dir, config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
    const output = join(dir, 'backfill.om');
    const run = runCli([
      'run',
      '--config',
      config,
      '--from',
      '2026-11-01T00:00:00Z',
      '--to',
      '2026-11-01T01:00:00Z',
      '--output',
      output,
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^telemetry-analyzer: unavailable: upstream "prom" unreachable/);
    expect(run.stderr).not.toContain('internal error');
    expect(filesIn(dir)).toEqual(['writer.yaml']);
  });

  it("says why an upstream refused the writer's query, without the credentials its answer quotes", async () => {
    // An upstream (a gateway) that refuses every query with a 422 quoting the bearer token it was sent.
    const upstream = createHttpServer((request, response) => {
      response.writeHead(422, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'error',
          errorType: 'execution',
          error: `too many samples; ${request.headers.authorization}`,
        })
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = upstream.address() as AddressInfo;
      const dir = tempDir('cli-run-secret-');
      const config = join(dir, 'writer.yaml');
      writeFileSync(
        config,
        `upstreams:\n  prom: { type: prometheus, url: "http://127.0.0.1:${port}", auth: { bearer: { token: "SECRET-TOKEN-xyz" } } }\n` +
          'remoteWrite:\n  url: "http://127.0.0.1:47/api/v1/write"\n' +
          'jobs:\n  - name: cpu\n    query: cpu\n'
      );
      const args = ['run', '--config', config, '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-01T01:00:00Z'];
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [CLI, ...args, '--output', join(dir, 'x.om')], (error, _out, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr })
        );
        child.stdin?.end();
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('upstream answered HTTP 422: too many samples; Bearer [redacted]');
      expect(run.stderr).not.toContain('SECRET-TOKEN-xyz');
    } finally {
      upstream.close();
    }
  });

  it('stops (exit 1) when the read-back cannot say where to resume, instead of running on with no job ever run', () => {
    // Before: "unavailable" printed, then /healthz answered "ok" for good and no run ever happened.
    const { config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
    writeFileSync(config, 'listen: "127.0.0.1:0"\n', { flag: 'a' });
    const run = runCli(['run', '--config', config], undefined, { killAfterMs: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^telemetry-analyzer: unavailable: upstream "prom" unreachable/m);
  });

  it.each(['--to', '--output'])('refuses %s without --from (they belong to a backfill)', (option) => {
    const run = runCli(['run', '--config', join(work, 'none.yaml'), option, '2026-12-01T00:00:00Z']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${option}: needs --from (a backfill range)`);
  });

  it('exits 2 naming the config file when its listen address is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
      writeFileSync(config, `listen: "127.0.0.1:${(taken.address() as AddressInfo).port}"\n`, { flag: 'a' });
      const run = runCli(['run', '--config', config], undefined, { killAfterMs: 60_000 });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(
          `^telemetry-analyzer: ${config}: listen: 127\\.0\\.0\\.1:\\d+ is already in use .*\\(EADDRINUSE\\)\\n$`
        )
      );
    } finally {
      taken.close();
    }
  });

  it('refuses --job without --from, and a --job the config does not have, leaving no output file (exit 2)', () => {
    // A review: a misspelt --job backfilled nothing and exited 0 with a file of only "# EOF"; live, --job was ignored.
    const { dir, config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
    const live = runCli(['run', '--config', config, '--job', 'cpu']);
    expect(live.status).toBe(2);
    expect(live.stderr).toContain('--job: needs --from (a backfill range)');
    const output = join(dir, 'nojob.om');
    const from = ['--from', '2026-11-01T00:00:00Z', '--to', '2026-11-01T01:00:00Z', '--output', output];
    const unknown = runCli(['run', '--config', config, ...from, '--job', 'cpuu']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trimEnd()).toBe(
      'telemetry-analyzer: --job: no job named "cpuu" in the config (its jobs: cpu)'
    );
    expect(existsSync(output)).toBe(false);
  });

  it('refuses a backfill --output that is a named pipe before running a job, leaving it a pipe (exit 2)', () => {
    // The file was renamed over its name: a device or a pipe became a plain file (a review of detect's outputs).
    const { dir, config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
    const pipe = join(dir, 'backfill.om');
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
    const run = runCli(['run', '--config', config, '--from', '2026-11-01T00:00:00Z', '--output', pipe]);
    expect([run.status, run.stderr.trimEnd()]).toEqual([
      2,
      `telemetry-analyzer: ${pipe}: is a named pipe, not a file: write the results to a file`,
    ]);
    expect(lstatSync(pipe).isFIFO()).toBe(true);
  });

  it('exits 2 naming a model store directory it cannot write, before running a job', () => {
    const { dir, config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    writeFileSync(config, `modelStore: { directory: ${JSON.stringify(join(blocker, 'models'))} }\n`, { flag: 'a' });
    const run = runCli(['run', '--config', config], undefined, { killAfterMs: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^telemetry-analyzer: ${config}: modelStore\\.directory: cannot write models to .*a-file/models \\(ENOTDIR\\)`
      )
    );
  });

  it.each([
    ['reversed', '2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z'],
    ['empty', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'],
  ])('refuses a %s backfill range (exit 2, nothing written): it exited 0 with an empty file', (_, from, to) => {
    const { dir, config } = writerConfigWith('jobs:\n  - name: cpu\n    query: cpu\n');
    const output = join(dir, 'backfill.om');
    const run = runCli(['run', '--config', config, '--from', from, '--to', to, '--output', output]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `telemetry-analyzer: --from: ${new Date(from).toISOString()} is not before --to (${new Date(to).toISOString()}): nothing to backfill\n`
    );
    expect(filesIn(dir)).toEqual(['writer.yaml']);
  });

  it('refuses a --shard that is not i/N', () => {
    const run = runCli(['run', '--config', join(work, 'none.yaml'), '--shard', '3/3']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--shard: expected i/N with 0 <= i < N, got "3/3"');
  });
});

describe('run --output: a write that fails', () => {
  it('says the file could not be written, with the code, for a full disk whose error names no path', () => {
    // A review: a backfill to a full tmpfs ended "internal error: ENOSPC: no space left on device, write", exit 1.
    // /dev/full answers every write with ENOSPC, and Node's error for it names no path, as on a full disk.
    let full: unknown;
    const fd = openSync('/dev/full', 'w');
    try {
      writeSync(fd, 'x');
    } catch (error) {
      full = error;
    } finally {
      closeSync(fd);
    }
    expect((full as NodeJS.ErrnoException).path).toBeUndefined();
    expect(outputWriteFailure(full, '/data/backfill.om')?.message).toBe(
      '/data/backfill.om: cannot write the file (ENOSPC); nothing was written'
    );
    // Another file's error, or a connection's, is not the output's.
    expect(
      outputWriteFailure(Object.assign(new Error('x'), { code: 'ENOENT', path: '/etc/other' }), '/data/o.om')
    ).toBe(undefined);
    expect(outputWriteFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }), '/data/o.om')).toBe(undefined);
  });
});
