/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP: what the run made is removed (the spooled copy of stdin, the temporary output files)
 * and the process ends by that signal (as a shell loop must see it to stop; 130 or 143 in a shell).
 */
import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CLI, REPO_ROOT, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

/** Starts the CLI with its own temporary directory; sends `signal` once `ready()` holds; resolves with the exit. */
function interruptWhen(
  args: string[],
  tmp: string,
  ready: () => boolean,
  signal: NodeJS.Signals,
  stdin?: string
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  if (stdin !== undefined) {
    child.stdin.write(stdin); // and kept open: the copy of stdin is still going on
  } else {
    child.stdin.end();
  }
  const poll = setInterval(() => {
    if (ready()) {
      clearInterval(poll);
      child.kill(signal);
    }
  }, 10);
  return new Promise((resolve) =>
    child.on('exit', (code, exitSignal) => {
      clearInterval(poll);
      resolve({ code, signal: exitSignal, stderr });
    })
  );
}

describe('interrupted while stdin is copied to a temporary file (detect -i -)', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129], // the terminal closed, the ssh session dropped
  ] as const)('%s removes the copy and ends by that signal (exit status %i in a shell)', async (signal) => {
    // Before: Node's default for the signal ended the process without its 'exit' event, so the copy stayed in /tmp.
    const tmp = tempDir('cli-interrupt-');
    const work = tempDir();
    const exit = await interruptWhen(
      ['detect', '--format', 'csv', '-i', '-', '-o', join(work, 'out')],
      tmp,
      () => readdirSync(tmp).some((name) => existsSync(join(tmp, name, 'stdin'))),
      signal,
      toCsv(smallTelemetryRows().slice(0, 50))
    );
    // Ended by the signal itself, as a shell loop must see it to stop: 128 + its number there.
    expect(exit).toEqual({ code: null, signal, stderr: '' });
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(join(work, 'out'))).toBe(false);
  });
});

/** A 60-day detect into an existing `out` directory of its own, sent `signal` once its temporary files are there. */
async function interruptWhileWriting(signal: NodeJS.Signals) {
  const work = tempDir();
  // Long enough that its writing outlasts the poll and the signal on a loaded machine (20 days failed once there).
  const input = writeInput(work, 'long.csv', toCsv(smallTelemetryRows({ days: 60 })));
  const out = join(work, 'out');
  mkdirSync(out);
  const exit = await interruptWhen(
    ['detect', '-q', '--threads', '1', '--chunk-rows', '500', '-i', input, '-o', out],
    tempDir('cli-interrupt-'),
    () => existsSync(out) && readdirSync(out).some((name) => name.endsWith('.tmp')),
    signal
  );
  return { exit, work, out };
}

describe('interrupted while the results are written', () => {
  test('SIGTERM removes the temporary output files and ends by SIGTERM (143 in a shell, not 130)', async () => {
    const { exit, out } = await interruptWhileWriting('SIGTERM');
    expect(exit).toEqual({ code: null, signal: 'SIGTERM', stderr: '' });
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('interrupted while generate writes its --openmetrics-file backfill', () => {
  test('SIGTERM removes the temporary file and ends by SIGTERM', async () => {
    // Before: the backfill's <file>.<pid>.tmp had no cleanup registered, and Node's default for the signal left it.
    const out = join(tempDir(), 'history');
    const exit = await interruptWhen(
      // 60 days of 3 hosts: ~340 MB of text, far longer to write than the poll takes to see the file.
      ['generate', '--backfill', '60d', '--openmetrics-file', join(out, 'backfill.om')],
      tempDir('cli-interrupt-'),
      () => existsSync(out) && readdirSync(out).some((name) => name.endsWith('.tmp')),
      'SIGTERM'
    );
    expect(exit).toEqual({ code: null, signal: 'SIGTERM', stderr: '' });
    // The directory the run created goes too, being empty.
    expect(existsSync(out)).toBe(false);
  });
});

describe('killed outright while the results are written (SIGKILL, out of memory)', () => {
  test('a later run writing the same files removes the temporary ones the killed run left, once old; nothing else', async () => {
    // No cleanup runs on SIGKILL: the hidden .scores.csv.<pid>.<time>.tmp files stayed in the directory for good.
    const { exit, work, out } = await interruptWhileWriting('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const left = readdirSync(out).filter((name) => name.endsWith('.tmp'));
    expect(left.length).toBeGreaterThan(0);
    const rerun = () => {
      const small = writeInput(work, 'small.csv', toCsv(smallTelemetryRows().slice(0, 400)));
      expect(
        spawnSync(process.execPath, [CLI, 'detect', '-q', '-i', small, '-o', out], { cwd: REPO_ROOT }).status
      ).toBe(0);
    };
    // Fresh: kept (across hosts sharing a directory a pid says nothing; a live run writes its files as it goes).
    rerun();
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual(left);

    const old = new Date(Date.now() - 11 * 60_000);
    // Kept, old as they are: another program's hidden file of the same shape (a review: they went too), and a
    // temporary file of a process that runs (this one).
    const others = ['.notes.md.4000000.k2x9.tmp', `.scores.csv.${process.pid}.${Date.now().toString(36)}.tmp`];
    for (const name of others) {
      writeFileSync(join(out, name), "not the killed run's");
    }
    for (const name of [...left, ...others]) {
      utimesSync(join(out, name), old, old);
    }
    rerun();
    expect(readdirSync(out).sort()).toEqual(
      [...others, 'anomalies.csv', 'model.json', 'report.html', 'scores.csv', 'summary.json'].sort()
    );
  });
});
