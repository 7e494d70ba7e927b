/** Prometheus-style duration literals ("7d", "1h30m", "15s"), shared by the alert expression and the rule form. */

const UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Milliseconds → the exact literal with the largest units first (90 min → "1h30m"); 0 → "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) {
    throw new RangeError(`a duration must be a whole, non-negative number of milliseconds, got ${ms}`);
  }
  if (ms === 0) {
    return '0s';
  }
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "1h30m" → 5_400_000; undefined when the text is not a duration literal (what the rule form validates). */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) {
    return undefined;
  }
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) {
    total += Number(part[1]) * UNIT_MS[part[2]];
  }
  return total;
}
