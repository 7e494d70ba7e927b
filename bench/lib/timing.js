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

/**
 * Median wall times of several functions run in turn (a, b, c, a, b, c, ...), so that a busy minute on the shared
 * machine weighs on each of them alike instead of on whichever ran during it.
 */
function alternatingMedianSeconds(fns, { repeats = 3 } = {}) {
  const times = fns.map(() => []);
  for (let i = 0; i < repeats; i++) {
    fns.forEach((fn, k) => {
      const start = process.hrtime.bigint();
      fn();
      times[k].push(Number(process.hrtime.bigint() - start) / 1e9);
    });
  }
  return times.map(median);
}

/** Wall time of one run of an async `fn` (an HTTP round trip), in seconds. */
async function elapsedSeconds(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Median of a list of times (the upper one of the middle two for an even count, as medianSeconds). */
function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

module.exports = { medianSeconds, alternatingMedianSeconds, elapsedSeconds, median };
