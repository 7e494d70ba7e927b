/**
 * The lines of scores.csv for a scored batch, written as bytes (TextBytes): timestamp, group, anomaly_score,
 * raw_score (online), is_anomaly, status and the per-column scores (per-column mode). Numbers are written as
 * JavaScript writes them (shortest round-trip form); a score that is not there is an empty field. Runs on the thread
 * that reads the input and writes the outputs: with two threads, scoring is the busier one.
 */
import { TIMESTAMP_LENGTH, writeTimestamp } from '../input/timestamp';
import type { RowBatch } from '../input/rowBatch';
import { csvField } from '../output/csv';
import { writeShortestFraction } from '../output/shortestNumber';
import { TextBytes, utf8Bytes } from '../output/textBytes';
import { SCORED, STATUS_NAMES, type BatchScores } from './batchScores';

const COMMA = 44;
const NEWLINE = 10;

export class ScoreLines {
  /** Per group index: ",group" ready to append (quoted when it needs to be), or nothing without --group-by. */
  private readonly groupFields: Uint8Array[];
  /** What follows the score fields of a row that is not scored, per status code. */
  private readonly unscoredTails: string[];
  /**
   * Online, the texts of calibrated scores: they take few distinct values (ranks over a bounded horizon), and
   * looking one up costs a fraction of writing a number.
   */
  private readonly calibratedTexts = new NumberTexts();
  private readonly text = new TextBytes(1 << 20);

  constructor(
    groups: string[],
    grouped: boolean,
    private readonly perColumn: boolean,
    private readonly online: boolean
  ) {
    this.groupFields = groups.map((group) => utf8Bytes(grouped ? `,${csvField(group)}` : ''));
    const emptyScores = online ? ',,,' : ',,';
    this.unscoredTails = STATUS_NAMES.map((status) => `${emptyScores},${status}`);
  }

  /** The batch's lines, in a buffer of their own. */
  of(batch: RowBatch, scores: BatchScores): Uint8Array {
    this.writeRows(batch, scores);
    return this.text.take();
  }

  // The loop alone: V8 compiles it on stack replacement, and code after it in the same call would leave that code on
  // every batch (Node's --trace-deopt).
  private writeRows(batch: RowBatch, scores: BatchScores): void {
    const { text } = this;
    for (let row = 0; row < batch.size; row++) {
      text.length = writeTimestamp(batch.timestampMs[row], text.reserve(TIMESTAMP_LENGTH + 8), text.length);
      text.bytes(this.groupFields[batch.groupIndex[row]]);
      const status = scores.status[row];
      if (status === SCORED) {
        text.byte(COMMA);
        if (this.online) {
          this.number(scores.score[row], this.calibratedTexts);
          text.byte(COMMA);
          this.number(scores.rawScore[row]);
        } else {
          this.number(scores.score[row]);
        }
        text.ascii(scores.isAnomaly[row] === 1 ? ',1,scored' : ',0,scored');
      } else {
        text.ascii(this.unscoredTails[status]);
      }
      if (this.perColumn) {
        for (const columnScores of scores.columnScores!) {
          text.byte(COMMA);
          this.number(columnScores[row]);
        }
      }
      text.byte(NEWLINE);
    }
  }

  /**
   * Appends numberField(value): most scores straight as bytes (writeShortestFraction), the others as String() (from
   * `texts`, the texts of recent ones, when given).
   */
  private number(value: number, texts?: NumberTexts): void {
    const { text } = this;
    const end = writeShortestFraction(value, text.reserve(MAX_FRACTION_LENGTH), text.length);
    if (end < 0) {
      text.ascii(texts === undefined ? numberField(value) : texts.of(value));
    } else {
      text.length = end;
    }
  }
}

/** The longest text writeShortestFraction writes: "0." and 17 digits. */
const MAX_FRACTION_LENGTH = 19;

/**
 * Texts of numbers that recur, in a direct-mapped cache keyed by the number's bits (a Map keyed by doubles hashes
 * each one in the runtime, which cost as much as writing the number).
 */
class NumberTexts {
  private static readonly SIZE = 1 << 16;
  private readonly values = new Float64Array(NumberTexts.SIZE).fill(NaN);
  private readonly texts: string[] = new Array<string>(NumberTexts.SIZE).fill('');
  private readonly scratch = new Float64Array(1);
  private readonly bits = new Uint32Array(this.scratch.buffer);

  of(value: number): string {
    this.scratch[0] = value;
    const slot = (Math.imul(this.bits[0] ^ this.bits[1], 0x9e3779b1) >>> 16) & (NumberTexts.SIZE - 1);
    if (this.values[slot] === value) {
      return this.texts[slot];
    }
    const text = numberField(value);
    this.values[slot] = value;
    this.texts[slot] = text;
    return text;
  }
}

function numberField(value: number): string {
  return Number.isNaN(value) ? '' : String(value);
}
