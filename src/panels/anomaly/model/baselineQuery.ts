import {
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  LoadingState,
  type PanelData,
  type TimeRange,
  dateTimeForTimeZone,
  rangeUtil,
} from '@grafana/data';
import type { DataQuery, DataSourceRef, TimeZone } from '@grafana/schema';
import { getDataSourceSrv, isExpressionReference } from '@grafana/runtime';
import { type Observable, from, isObservable, lastValueFrom, takeWhile, toArray } from 'rxjs';
import { TRAINING_QUERY_STEPS, trainingQueryRanges } from './trainingQueryRanges';

/**
 * Runs the panel's own queries again over the training range, through Grafana's data source API (so proxying,
 * auth, template variables and caching behave as for the panel itself), at the panel's own interval, in pieces of
 * at most TRAINING_QUERY_STEPS rows `stepMs` apart (trainingQueryRanges). Queries are grouped by data source
 * (trainingQueryGroups), so a panel on the Mixed data source works too. The frames of each piece, all data sources'
 * together, piece by piece.
 * @param stepMs the spacing of the panel's rows (its interval, or wider); 0: one query at Grafana's interval
 */
export async function queryBaseline(
  data: PanelData,
  range: { from: number; to: number },
  maxDataPoints: number,
  stepMs: number
): Promise<DataFrame[][]> {
  const request = data.request;
  if (!request || request.targets.length === 0) {
    throw new Error('The panel has no queries to repeat over the training range');
  }
  const known = request.intervalMs > 0;
  const interval = known
    ? { interval: request.interval, intervalMs: request.intervalMs }
    : rangeUtil.calculateInterval(absolute(range.from, range.to, request.timezone), maxDataPoints);
  const groups = trainingQueryGroups(request.targets);
  const pieces = trainingQueryRanges(range, known ? stepMs : 0);
  return Promise.all(
    pieces.map(async (piece, index) => {
      const pieceRange = absolute(piece.from, piece.to, request.timezone);
      const frames = await Promise.all(
        groups.map(async ({ datasource, targets }, group) => {
          const ds = await getDataSourceSrv().get(datasource, request.scopedVars);
          const shifted: DataQueryRequest = {
            ...request,
            // One id per request: Grafana's backendSrv cancels an earlier request still running under the same id.
            requestId: `${request.requestId}-anomaly-training-${index}-${group}`,
            targets,
            range: pieceRange,
            rangeRaw: pieceRange.raw,
            interval: interval.interval,
            intervalMs: interval.intervalMs,
            // Enough points for the piece at the panel's step: the data source keeps the interval it is given.
            maxDataPoints: known ? TRAINING_QUERY_STEPS : maxDataPoints,
            startTime: Date.now(),
          };
          const result = ds.query(shifted);
          return trainingFrames(isObservable(result) ? result : from(result));
        })
      );
      return frames.flat();
    })
  );
}

/** The queries a training query sends together, and to which data source. */
export interface TrainingQueryGroup {
  /** Undefined: the default data source. */
  datasource?: DataSourceRef;
  targets: DataQuery[];
}

/**
 * The panel's queries grouped as Grafana sends them: by data source, the hidden ones left out; but with a
 * server-side expression among them, all of them (hidden ones too: expressions read them) to the expression data
 * source, which runs the queries an expression refers to with it (Grafana's DataSourceWithBackend and
 * ExpressionDatasourceApi do the same). Alone, an expression's group found none of the queries it refers to.
 */
export function trainingQueryGroups(targets: DataQuery[]): TrainingQueryGroup[] {
  const expression = targets.find((t) => isExpressionReference(t.datasource));
  if (expression) {
    return [{ datasource: expression.datasource ?? undefined, targets }];
  }
  const byDataSource = new Map<string, TrainingQueryGroup>();
  for (const target of targets.filter((t) => !t.hide)) {
    const uid = target.datasource?.uid ?? '';
    const group = byDataSource.get(uid) ?? { datasource: target.datasource ?? undefined, targets: [] };
    group.targets.push(target);
    byDataSource.set(uid, group);
  }
  return [...byDataSource.values()];
}

/**
 * The frames of a data source's answer to a training query: every response until it completes (the latest one per
 * response key, as Grafana's runRequest merges them), or up to the first that is live (frames on a Grafana Live
 * channel: such an answer never completes, so it is taken as it stands and the subscription ends). A "Streaming"
 * state alone is not live: Loki's split queries send each finished chunk so, and only the last one Done.
 * The first error fails the query.
 */
export async function trainingFrames(responses: Observable<DataQueryResponse>): Promise<DataFrame[]> {
  const all = await lastValueFrom(
    responses.pipe(
      takeWhile((response) => !isLive(response), true),
      toArray()
    )
  );
  const latestByKey = new Map<string, DataQueryResponse>();
  for (const response of all) {
    const error = response.errors?.[0];
    if (error) {
      throw new Error(`Training query failed: ${error.message ?? 'unknown error'}`);
    }
    latestByKey.set(response.key ?? '', response);
  }
  return [...latestByKey.values()].flatMap((response) => response.data as DataFrame[]);
}

/** An answer on a Grafana Live channel (DataSourceWithBackend turns frames with meta.channel into a live stream). */
function isLive(response: DataQueryResponse): boolean {
  return (
    response.state === LoadingState.Streaming &&
    (response.data as DataFrame[] | undefined)?.some((frame) => Boolean(frame?.meta?.channel)) === true
  );
}

/**
 * A range in the dashboard's time zone, as Grafana's own ranges are: the Prometheus data source aligns a query to
 * its step in the offset of its range's end (utcOffsetSec), as it aligned the panel's visible query.
 */
function absolute(from: number, to: number, timeZone?: TimeZone): TimeRange {
  const f = dateTimeForTimeZone(timeZone, from);
  const t = dateTimeForTimeZone(timeZone, to);
  return { from: f, to: t, raw: { from: f, to: t } };
}
