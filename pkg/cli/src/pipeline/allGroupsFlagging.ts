/**
 * The over-flagging check (the engine's overFlaggingWarning) over all groups together, for detect and stream: each
 * group is judged on its own first, but a group with fewer than a handful of flags is too small to judge, and
 * thousands of such groups can still flag far more than the contamination asks in all (a review: 10 000 groups,
 * one flag each, 5 % of the rows flagged at contamination 0.01, and no word).
 */
import { overFlaggingWarning } from '@telemetry-analyzer/engine';

/**
 * The warning for the groups' flags in all, when there are several groups and none was warned of on its own
 * (else undefined: one group's warning says it better).
 */
export function allGroupsWarning(
  groups: ReadonlyArray<{ flagged: number; scored: number }>,
  contamination: number | 'auto',
  online: boolean,
  anyGroupWarned: boolean
): string | undefined {
  if (groups.length < 2 || anyGroupWarned) {
    return undefined;
  }
  const flagged = groups.reduce((sum, g) => sum + g.flagged, 0);
  const scored = groups.reduce((sum, g) => sum + g.scored, 0);
  const warning = overFlaggingWarning(flagged, scored, contamination, online);
  return warning === undefined ? undefined : `all ${groups.length} groups together: ${warning}`;
}
