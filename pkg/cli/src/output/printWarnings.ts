/**
 * A run's warnings on stderr: all of them up to a screenful; beyond (a review's run of 10 000 groups printed some
 * 5 500 lines), every warning about the whole input and the first of those about single groups (`group "…": …`),
 * then how many more and where all of them are. Without a file that keeps them (train), all of them.
 */
import { terminalText } from '../errors';
import { isAboutOneGroup } from './groupPrefix';

/** Warnings printed in full; beyond, PRINTED_WHEN_MANY of them. */
const PRINT_ALL_UP_TO = 25;
const PRINTED_WHEN_MANY = 20;

export function printWarnings(
  warnings: readonly string[],
  /** Where all of them can be read, e.g. "summary.json" (undefined: nowhere else, so all are printed) */
  kept: string | undefined,
  write: (text: string) => void = (text) => process.stderr.write(text)
): void {
  let shown: readonly string[] = warnings;
  if (kept !== undefined && warnings.length > PRINT_ALL_UP_TO) {
    const whole = warnings.filter((warning) => !isAboutOneGroup(warning));
    const ofGroups = warnings.filter(isAboutOneGroup);
    shown = [...whole, ...ofGroups.slice(0, Math.max(0, PRINTED_WHEN_MANY - whole.length))];
  }
  for (const warning of shown) {
    write(`telemetry-analyzer: warning: ${terminalText(warning)}\n`);
  }
  const more = warnings.length - shown.length;
  if (more > 0) {
    write(`telemetry-analyzer: warning: ${more} more warnings about single groups (all of them in ${kept})\n`);
  }
}
