import { type DataQueryError, LoadingState, type PanelData } from '@grafana/data';

/** A failed query without a message (shown under the title "The query failed": not that again, a review). */
const NO_MESSAGE =
  'The data source gave no message: the query inspector (panel menu → Inspect → Query) shows its answer.';

/**
 * What the panel's queries said went wrong, one line per error ("A: message" when several queries failed), or
 * undefined when they did not fail.
 */
export function queryErrorText(data: Pick<PanelData, 'state' | 'errors'>): string | undefined {
  const errors: DataQueryError[] = data.errors ?? [];
  if (errors.length === 0) {
    return data.state === LoadingState.Error ? NO_MESSAGE : undefined;
  }
  const refIds = new Set(errors.map((e) => e.refId));
  const lines = errors.map((e) => {
    const message = e.message || e.data?.message || e.statusText || NO_MESSAGE;
    return refIds.size > 1 && e.refId ? `${e.refId}: ${message}` : message;
  });
  return [...new Set(lines)].join('\n');
}
