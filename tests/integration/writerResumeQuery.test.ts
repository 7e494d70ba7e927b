/**
 * The writer's resume read-back (pkg/writer/src/resume.ts) asks the target for one value per written series: the time
 * of its last raw sample. Checked here on Prometheus 2.42's own PromQL engine through `promtool test rules` (series
 * whose samples fall between the subquery's steps, and one that stopped long before now); VictoriaMetrics is covered
 * by writer.test.ts' restart tests, which resume from it.
 */
import { lastSampleQuery } from '@telemetry-analyzer/writer';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeTempDir } from '../support/tempDir';

const run = promisify(execFile);
const MINUTE = 60_000;

let dir: string;
beforeAll(() => {
  dir = makeTempDir('resume-query');
});
afterAll(() => removeTempDir(dir));

describe("the writer's resume read-back on Prometheus 2.42", () => {
  it.each([
    // [window, now]: the query's step is 60 s for a 1 h window, 240 s for a day; now off the step grid.
    [60 * MINUTE, 20 * MINUTE + 13_000],
    [24 * 60 * MINUTE, 25 * MINUTE],
  ])(
    'max_over_time(timestamp(...)) over a %i ms window at %i ms gives each series its last sample time',
    async (windowMs, nowMs) => {
      const { query, atMs } = lastSampleQuery('anomaly_score{job="j"}', windowMs, nowMs);
      expect(atMs).toBeGreaterThanOrEqual(nowMs);
      // Samples every 7 m from 0 up to now (between the steps; a written sample is never later than now), and a
      // series with one sample at 0.
      const rules = join(dir, 'rules.yml');
      writeFileSync(rules, 'groups: []\n');
      const samples = Math.floor(nowMs / (7 * MINUTE)) + 1;
      const values = Array.from({ length: samples }, (_, i) => String(i + 1)).join(' ');
      const lastWithin = (samples - 1) * 7 * MINUTE;
      const test = join(dir, `test-${windowMs}.yml`);
      writeFileSync(
        test,
        [
          `rule_files: [${JSON.stringify(rules)}]`,
          'tests:',
          '  - interval: 7m',
          '    input_series:',
          `      - series: 'anomaly_score{job="j",host="a"}'`,
          `        values: '${values}'`,
          `      - series: 'anomaly_score{job="j",host="b"}'`,
          `        values: '1'`,
          `      - series: 'anomaly_score{job="other",host="a"}'`,
          `        values: '${values}'`,
          '    promql_expr_test:',
          `      - expr: ${JSON.stringify(query)}`,
          `        eval_time: ${atMs / 1000}s`,
          '        exp_samples:',
          `          - labels: '{job="j",host="a"}'`,
          `            value: ${lastWithin / 1000}`,
          `          - labels: '{job="j",host="b"}'`,
          '            value: 0',
          '',
        ].join('\n')
      );
      const { stdout } = await run('promtool', ['test', 'rules', test]);
      expect(stdout).toContain('SUCCESS');
    }
  );
});
