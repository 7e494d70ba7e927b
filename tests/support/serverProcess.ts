import { ChildProcess, spawn } from 'node:child_process';
import { errorMessage, sleep, waitBudget } from './waitUntil';

/** How a server binary is launched and how to tell it is ready to serve. */
export interface ServerLaunch {
  /** Shown in errors, e.g. "prometheus". */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  /** Polled with GET until it answers with a 2xx status. */
  readyUrl: string;
  /** Default 30 s. */
  readyTimeoutMs?: number;
}

/** A running server process; its recent output is kept for error messages. */
export interface ServerProcess {
  readonly name: string;
  /** The last lines the server wrote to stdout and stderr. */
  outputTail(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs` (default 10 s). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 6000;

// Children still running when the test process exits (a crashed test, an interrupted run) are killed here,
// so no server outlives the jest worker.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
});

/**
 * Starts a server and resolves once `readyUrl` answers 2xx. If the server exits first or is not ready in time,
 * it is killed and the error carries the tail of its output (the reason is nearly always in there).
 */
export async function startServerProcess(launch: ServerLaunch): Promise<ServerProcess> {
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.on('data', keepTail);
  child.stderr!.on('data', keepTail);

  let exitDescription: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitDescription = signal === null ? `exit code ${code}` : `signal ${signal}`;
      running.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      // spawn failures (binary missing) emit 'error' and no 'exit'.
      exitDescription = `spawn error: ${error.message}`;
      running.delete(child);
      resolve();
    });
  });

  const server: ServerProcess = {
    name: launch.name,
    outputTail: () => output,
    async stop(graceMs = 10_000) {
      if (exitDescription !== undefined) {
        return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const timeoutMs = waitBudget(launch.readyTimeoutMs ?? 30_000);
  const deadline = Date.now() + timeoutMs;
  let lastProbeError = 'no answer yet';
  while (exitDescription === undefined) {
    try {
      const response = await fetch(launch.readyUrl, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) {
        return server;
      }
      lastProbeError = `HTTP ${response.status}`;
    } catch (error) {
      lastProbeError = errorMessage(error);
    }
    if (Date.now() >= deadline) {
      await server.stop(2000);
      throw new Error(
        `${launch.name} was not ready within ${timeoutMs} ms (${launch.readyUrl}: ${lastProbeError}).\n` +
          describeLaunch(launch, output)
      );
    }
    await sleep(100);
  }
  throw new Error(`${launch.name} exited (${exitDescription}) before it was ready.\n` + describeLaunch(launch, output));
}

function describeLaunch(launch: ServerLaunch, output: string): string {
  return `command: ${launch.command} ${launch.args.join(' ')}\n--- last output of ${launch.name} ---\n${output.trimEnd()}`;
}
