/**
 * Progress of long passes on stderr: only for inputs past PROGRESS_FROM_ROWS rows, only on a terminal (never in
 * pipes or logs), never with --quiet.
 */
export const PROGRESS_FROM_ROWS = 100_000;
const REPORT_EVERY_ROWS = 50_000;

export class Progress {
  private readonly enabled: boolean;
  private shown = false;

  constructor(
    private readonly label: string,
    quiet: boolean,
    private readonly totalRows?: number
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(rows: number): void {
    if (!this.enabled || rows < PROGRESS_FROM_ROWS || rows % REPORT_EVERY_ROWS !== 0) {
      return;
    }
    const percent = this.totalRows ? ` (${Math.floor((100 * rows) / this.totalRows)}%)` : '';
    process.stderr.write(`\r${this.label}: ${rows.toLocaleString('en-US')} rows${percent}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) {
      process.stderr.write('\n');
      this.shown = false;
    }
  }
}
