import type { RowBatch } from '../src/input/rowBatch';
import { formatTimestamp } from '../src/input/timestamp';
import { emptyScores, SCORED } from '../src/pipeline/batchScores';
import { ScoreLines } from '../src/pipeline/scoreLines';

const decoder = new TextDecoder();

describe('ScoreLines', () => {
  it('writes 17-digit scores whole where the line buffer has to grow at them', () => {
    // A 17-digit score is 19 bytes ("0." and 17 digits). The buffer starts at 1 MiB; a first row with a group name
    // of each length shifts where the rows of the other group fall, so some 17-digit score starts exactly as
    // many bytes before the buffer's end as the writer reserved.
    const score = 0.30000000000000004;
    expect(String(score)).toHaveLength(19);
    const rows = 20_000;
    for (let shift = 1; shift <= 60; shift++) {
      const lines = new ScoreLines(['g'.repeat(shift), 'h'], true, false, false);
      const batch: RowBatch = {
        size: rows,
        lines: new Float64Array(rows),
        timestampMs: new Float64Array(rows).fill(1_700_000_000_000),
        orderMs: new Float64Array(rows),
        groupIndex: new Int32Array(rows).fill(1),
        values: [],
        missing: new Uint8Array(rows),
      };
      batch.groupIndex[0] = 0;
      const scores = emptyScores(rows);
      scores.status.fill(SCORED);
      scores.score.fill(score);
      const text = decoder.decode(lines.of(batch, scores)).split('\n');
      const time = formatTimestamp(1_700_000_000_000);
      const wrong = text
        .slice(1, rows)
        .map((line, row) => [row + 1, line] as const)
        .filter(([, line]) => line !== `${time},h,${String(score)},0,scored`);
      expect({ shift, wrong: wrong.slice(0, 3) }).toEqual({ shift, wrong: [] });
    }
  });
});
