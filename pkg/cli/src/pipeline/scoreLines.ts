/**
 * The lines of scores.csv for a scored batch, built as one string: timestamp, group, anomaly_score, raw_score
 * (online), is_anomaly, status and the per-column scores (per-column mode). Numbers are written as JavaScript
 * writes them (shortest round-trip form); a score that is not there is an empty field.
 */
import { formatTimestamp } from '../input/timestamp';
import type { RowBatch } from '../input/rowBatch';
import { csvField } from '../output/csv';
import { SCORED, STATUS_NAMES, type BatchScores } from './batchScores';

export class ScoreLines {
  /** Per group index: ",group" ready to append (quoted when it needs to be), or '' without --group-by. */
  private readonly groupFields: string[];
  /** What follows the score fields of a row that is not scored, per status code. */
  private readonly unscoredTails: string[];
  /**
   * Online, the texts of calibrated scores: they take few distinct values (ranks over a bounded horizon), and
   * looking one up costs a fraction of writing a number.
   */
  private readonly calibratedTexts = new Map<number, string>();

  constructor(
    groups: string[],
    grouped: boolean,
    private readonly perColumn: boolean,
    private readonly online: boolean
  ) {
    this.groupFields = groups.map((group) => (grouped ? `,${csvField(group)}` : ''));
    const emptyScores = online ? ',,,' : ',,';
    this.unscoredTails = STATUS_NAMES.map((status) => `${emptyScores},${status}`);
  }

  of(batch: RowBatch, scores: BatchScores): string {
    let text = '';
    for (let row = 0; row < batch.size; row++) {
      let line = formatTimestamp(batch.timestampMs[row]) + this.groupFields[batch.groupIndex[row]];
      const status = scores.status[row];
      if (status === SCORED) {
        if (this.online) {
          line += `,${this.calibratedText(scores.score[row])},${numberField(scores.rawScore[row])}`;
        } else {
          line += `,${numberField(scores.score[row])}`;
        }
        line += scores.isAnomaly[row] === 1 ? ',1,scored' : ',0,scored';
      } else {
        line += this.unscoredTails[status];
      }
      if (this.perColumn) {
        for (const columnScores of scores.columnScores!) {
          line += `,${numberField(columnScores[row])}`;
        }
      }
      text += line + '\n';
    }
    return text;
  }

  private calibratedText(score: number): string {
    let text = this.calibratedTexts.get(score);
    if (text === undefined) {
      text = numberField(score);
      if (this.calibratedTexts.size < MAX_CACHED_TEXTS) {
        this.calibratedTexts.set(score, text);
      }
    }
    return text;
  }
}

const MAX_CACHED_TEXTS = 1 << 16;

function numberField(value: number): string {
  return Number.isNaN(value) ? '' : String(value);
}
