/** Runs the demo stack's own commands (the built CLI, deploy/alert-receiver.js) as local processes for the stack tests. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MetricSeries } from '../support/openMetrics';
import { ServerProcess, startServerProcess } from '../support/serverProcess';
import { REPO_ROOT, repoPath } from './stackFiles';

const run = promisify(execFile);

/**
 * A compose service's `node <script> args…` command as a local argv: the script path mapped from the container's
 * /app (the repository, or a file mounted there) to the repository.
 */
export function localNodeCommand(command: string[], mounts: Array<{ source: string; target: string }> = []): string[] {
  if (command[0] !== 'node') {
    throw new Error(`expected a "node <script> ..." command, got ${JSON.stringify(command)}`);
  }
  const script = command[1];
  const mounted = mounts.find((mount) => mount.target === script);
  const local = mounted ? repoPath(mounted.source) : repoPath(script.replace(/^\/app\//, ''));
  return [local, ...command.slice(2)];
}

/** argv with `--flag=value` (or `--flag value`) replaced by `--flag=value`, or appended when absent. */
export function withOption(argv: string[], flag: string, value: string): string[] {
  const result: string[] = [];
  let replaced = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) {
      i++; // skip the separate value
    } else if (!argv[i].startsWith(`${flag}=`)) {
      result.push(argv[i]);
      continue;
    }
    if (!replaced) {
      result.push(`${flag}=${value}`);
      replaced = true;
    }
  }
  return replaced ? result : [...result, `${flag}=${value}`];
}

/** The value of `--flag=value` / `--flag value` in argv. */
export function optionValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) {
      return argv[i + 1];
    }
    if (argv[i].startsWith(`${flag}=`)) {
      return argv[i].slice(flag.length + 1);
    }
  }
  return undefined;
}

/** Runs a one-shot node command to completion; fails with its output. */
export async function runNode(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, argv, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`node ${argv.join(' ')} failed: ${message}\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

/**
 * A long-running node command, ready once `readyUrl` answers 2xx. Extra environment variables (a compose service's
 * `environment:`) are set through env(1), as startServerProcess passes its own environment unchanged.
 */
export function startNode(
  name: string,
  argv: string[],
  readyUrl: string,
  env: Record<string, string> = {}
): Promise<ServerProcess> {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  return startServerProcess({
    name,
    command: 'env',
    args: [...assignments, process.execPath, ...argv],
    cwd: REPO_ROOT,
    readyUrl,
  });
}

/** The JSON log lines in a process' output (other lines are skipped). */
export function jsonLogLines(output: string): Array<Record<string, any>> {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) {
      return [];
    }
    try {
      return [JSON.parse(line)];
    } catch {
      return []; // the first line of the output tail may be cut
    }
  });
}

/** Reads the OpenMetrics `generate --openmetrics-file` writes back into series (for the harness' promtool backfill). */
export function parseOpenMetrics(text: string): MetricSeries[] {
  const series = new Map<
    string,
    { metric: string; labels: Record<string, string>; timestampsMs: number[]; values: number[] }
  >();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+) (\S+)$/.exec(line);
    if (!match) {
      throw new Error(`unexpected OpenMetrics line: ${line}`);
    }
    const [, metric, labelText, value, seconds] = match;
    const key = `${metric}{${labelText}}`;
    let one = series.get(key);
    if (!one) {
      const labels = Object.fromEntries(
        [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]])
      );
      one = { metric, labels, timestampsMs: [], values: [] };
      series.set(key, one);
    }
    one.timestampsMs.push(Math.round(Number(seconds) * 1000));
    one.values.push(Number(value));
  }
  return [...series.values()];
}
