// Median wall time of repeated runs, so one GC pause or scheduler hiccup does not decide a figure.
function medianSeconds(fn, { repeats = 5, minRepeats = 1 } = {}) {
  const times = [];
  for (let i = 0; i < Math.max(repeats, minRepeats); i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

module.exports = { medianSeconds };
