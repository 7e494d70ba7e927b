/**
 * A run's warnings on stderr: all of them up to a screenful, else the first ones and how many more (a review's run
 * of 10 000 groups printed some 5 500 lines). summary.json keeps every one.
 */

/** Warnings printed in full; beyond, the first PRINTED_WHEN_MANY and a count. */
const PRINT_ALL_UP_TO = 25;
const PRINTED_WHEN_MANY = 20;

export function printWarnings(
  warnings: readonly string[],
  /** Where the rest can be read, e.g. "summary.json" (undefined: nowhere else) */
  kept: string | undefined,
  write: (text: string) => void = (text) => process.stderr.write(text)
): void {
  const shown = warnings.length <= PRINT_ALL_UP_TO ? warnings : warnings.slice(0, PRINTED_WHEN_MANY);
  for (const warning of shown) {
    write(`telemetry-analyzer: warning: ${warning}\n`);
  }
  const more = warnings.length - shown.length;
  if (more > 0) {
    write(
      `telemetry-analyzer: warning: ${more} more warnings${kept === undefined ? '' : ` (all of them in ${kept})`}\n`
    );
  }
}
