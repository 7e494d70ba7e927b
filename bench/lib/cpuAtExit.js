// Preloaded into a child process (node -r): at exit, writes the process' CPU time (user + system, seconds) to stderr
// as one line `BENCH_CPU <seconds>`, which cpuSecondsOf reads back. Measures the process's own work, whatever else
// the machine runs at the time.
const PREFIX = 'BENCH_CPU ';

if (require.main !== module && process.env.BENCH_CPU_AT_EXIT === '1') {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    process.stderr.write(`\n${PREFIX}${(user + system) / 1e6}\n`);
  });
}

/** The CPU seconds a child preloaded with this file reported in its stderr. */
function cpuSecondsOf(stderr) {
  const line = stderr.split('\n').find((l) => l.startsWith(PREFIX));
  if (!line) {
    throw new Error(`no ${PREFIX.trim()} line in the child's stderr:\n${stderr.slice(-2000)}`);
  }
  return Number(line.slice(PREFIX.length));
}

module.exports = { cpuSecondsOf, preload: ['-r', __filename], env: { BENCH_CPU_AT_EXIT: '1' } };
