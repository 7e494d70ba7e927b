import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time this process's main thread (its event loop, which runs a proxy started in-process) has used, in ms, at
 * /proc's 10 ms resolution: fields 14 and 15 (utime, stime) of /proc/self/task/<main thread>/stat, which exclude the
 * worker threads' time.
 */
export function mainThreadCpuMs(): number {
  return statCpuMs(`/proc/self/task/${process.pid}/stat`);
}

/**
 * CPU time another process has used, all its threads together (its event loop, V8's compiler and GC threads, libuv's
 * thread pool), in ms at /proc's 10 ms resolution: /proc/<pid>/stat.
 */
export function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ", field 3 is first
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
