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

export interface ColumnRoles {
  timestampColumn: string;
  groupBy?: string;
  /** Metric columns asked for with --columns; undefined = every numeric column. */
  columns?: string[];
}
