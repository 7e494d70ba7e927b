/** Helpers of the end-to-end tests: run the built CLI, make temporary directories and small inputs. */
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { generateTelemetry, METRICS } from '../src/sample/generateTelemetry';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const CLI = join(REPO_ROOT, 'pkg/cli/bin/telemetry-analyzer.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * @param options.killAfterMs a safety net for a run that could hang (the test then fails on a null status), not a
 *   limit; options.env: variables added to the environment; options.cwd [the repository]; options.uid: run as this
 *   user and group (root only: how a test run as root meets a file it may not read)
 */
export function runCli(
  args: string[],
  stdin?: string,
  options: { killAfterMs?: number; env?: Record<string, string>; cwd?: string; uid?: number } = {}
): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input: stdin,
    encoding: 'utf8',
    cwd: options.cwd ?? REPO_ROOT,
    timeout: options.killAfterMs,
    env: { ...process.env, ...options.env },
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(prefix = 'cli-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function filesIn(directory: string): string[] {
  try {
    return readdirSync(directory).sort();
  } catch {
    return [];
  }
}

export function readCsv(path: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

/** Small telemetry (one day at one-minute steps by default) as rows of name → value. */
export function smallTelemetryRows(
  options: { days?: number; hosts?: string[]; seed?: number } = {}
): Array<Record<string, string | number>> {
  const start = Date.UTC(2024, 4, 6);
  const stepMs = 60_000;
  const data = generateTelemetry({
    start,
    end: start + (options.days ?? 1) * 86_400_000 - stepMs,
    stepMs,
    hosts: options.hosts,
    seed: options.seed ?? 11,
  });
  const rows: Array<Record<string, string | number>> = [];
  data.timestamps.forEach((timestamp, i) => {
    for (const { host, metrics } of data.hosts) {
      const row: Record<string, string | number> = { timestamp: new Date(timestamp).toISOString() };
      if (options.hosts) {
        row.host = host;
      }
      for (const name of METRICS) {
        row[name] = Math.round(metrics[name][i] * 1000) / 1000;
      }
      rows.push(row);
    }
  });
  return rows;
}

export function toCsv(rows: Array<Record<string, string | number>>): string {
  const names = Object.keys(rows[0]);
  return [names.join(','), ...rows.map((row) => names.map((name) => row[name]).join(','))].join('\n') + '\n';
}

export function toNdjson(rows: Array<Record<string, string | number>>): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
}

export function writeInput(directory: string, name: string, text: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/** The JSON lines a command wrote (stream's anomalies), parsed; none for an empty output. */
export function jsonLines(stdout: string): any[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}
