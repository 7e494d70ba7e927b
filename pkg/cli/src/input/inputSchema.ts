/** Which columns of an input play which role; fixed after the header (and, for default columns, the first pass). */
export interface InputSchema {
  /** Name of the input in messages: the file name or `<stdin>`. */
  source: string;
  header: string[];
  headerLine: number;
  timestampIndex: number;
  /** -1 without --group-by. */
  groupIndex: number;
  metricNames: string[];
  metricIndexes: number[];
}

/**
 * Most groups (values of the --group-by column) an input may hold by default, and the most `stream` keeps detectors
 * for at once. Each gets a model or an online detector (~0.2 MB online): a column picked by mistake (a request id)
 * took a 3 MB file to 16 GB of memory (a review).
 */
export const DEFAULT_MAX_GROUPS = 1000;

export interface ColumnRoles {
  timestampColumn: string;
  groupBy?: string;
  /** With groupBy: most groups the input may hold [DEFAULT_MAX_GROUPS]; one more is refused where it first appears. */
  maxGroups?: number;
  /** Metric columns asked for with --columns; undefined = every numeric column. */
  columns?: string[];
}
