/**
 * What report.html plots: at most MAX_REPORT_PLOTS charts (the groups with the most anomalies first, a group's
 * metrics together), and a break in the line wherever a value is missing or time jumps, in full and in bucket mode.
 */
import type { GroupScan } from '../src/input/scanInput';
import type { RowBatch } from '../src/input/rowBatch';
import type { BatchScores } from '../src/pipeline/batchScores';
import {
  MAX_MARKED_ANOMALIES,
  MAX_REPORT_PLOTS,
  PLOT_ALL_POINTS_UP_TO,
  ReportCollector,
} from '../src/report/reportCollector';
import { SeriesSampler } from '../src/report/seriesSampler';

const MINUTE = 60_000;

describe('ReportCollector.plots', () => {
  /** `groups` groups of `metrics` metrics, 10 rows each; group g has g anomalies. */
  function collector(groups: number, metrics: number) {
    const names = Array.from({ length: metrics }, (_, m) => `m${m}`);
    const scans = new Map<string, GroupScan>();
    for (let g = 0; g < groups; g++) {
      scans.set(`g${g}`, { rows: 10, firstTimestampMs: 0, lastTimestampMs: 9 * MINUTE } as GroupScan);
    }
    const report = new ReportCollector(names, scans);
    const rows = groups * 10;
    const batch = {
      size: rows,
      groupIndex: Int32Array.from({ length: rows }, (_, r) => Math.floor(r / 10)),
      timestampMs: Float64Array.from({ length: rows }, (_, r) => (r % 10) * MINUTE),
      values: names.map(() => Float64Array.from({ length: rows }, (_, r) => r)),
    } as unknown as RowBatch;
    const scores = {
      score: new Float64Array(rows).fill(0.4),
      isAnomaly: Uint8Array.from({ length: rows }, (_, r) => (r % 10 < Math.floor(r / 10) % 10 ? 1 : 0)),
      contributions: new Map(),
    } as unknown as BatchScores;
    report.addBatch(batch, scores, [...scans.keys()]);
    return report;
  }

  it('shows every plot of a small run', () => {
    const { plots, omitted } = collector(3, 4).plots();
    expect(plots).toHaveLength(12);
    expect(omitted).toEqual({ plots: 0, groups: 0 });
  });

  it('stops at the limit, the groups with the most anomalies first and a group never split', () => {
    const { plots, omitted } = collector(40, 7).plots();
    expect(plots.length).toBeLessThanOrEqual(MAX_REPORT_PLOTS);
    expect(plots.length % 7).toBe(0);
    const shown = [...new Set(plots.map((p) => p.group))];
    const anomaliesOf = (group: string) => Number(group.slice(1)) % 10; // rows before g % 10 in each group
    const fewestShown = Math.min(...shown.map(anomaliesOf));
    const left = Array.from({ length: 40 }, (_, g) => `g${g}`).filter((g) => !shown.includes(g));
    expect(left.every((g) => anomaliesOf(g) <= fewestShown)).toBe(true);
    expect(omitted).toEqual({ plots: 280 - plots.length, groups: left.length });
  });

  it('marks at most MAX_MARKED_ANOMALIES anomalies of a group, its highest-scoring, and counts every one', () => {
    // A review: 600 000 rows of 10 metrics at contamination 0.5 made a page longer than a JavaScript string, and the
    // run failed with every output lost.
    const rows = 3 * MAX_MARKED_ANOMALIES + 7;
    const scans = new Map([['h', { rows, firstTimestampMs: 0, lastTimestampMs: (rows - 1) * MINUTE } as GroupScan]]);
    const report = new ReportCollector(['cpu', 'mem'], scans);
    // Scores that rise and fall, so the highest are spread over the run; every row is an anomaly.
    const score = Float64Array.from({ length: rows }, (_, r) => 0.5 + 0.4 * Math.abs(Math.sin(r / 97)));
    for (let from = 0; from < rows; from += 1000) {
      const size = Math.min(1000, rows - from);
      const batch = {
        size,
        groupIndex: new Int32Array(size),
        timestampMs: Float64Array.from({ length: size }, (_, r) => (from + r) * MINUTE),
        values: [0, 1].map((m) => Float64Array.from({ length: size }, (_, r) => from + r + m)),
      } as unknown as RowBatch;
      const scores = {
        score: score.slice(from, from + size),
        isAnomaly: new Uint8Array(size).fill(1),
        contributions: new Map(),
      } as unknown as BatchScores;
      report.addBatch(batch, scores, ['h']);
    }
    const { plots } = report.plots();
    expect(plots.map((p) => [p.metric, p.anomalyCount, p.anomalies.length])).toEqual([
      ['cpu', rows, MAX_MARKED_ANOMALIES],
      ['mem', rows, MAX_MARKED_ANOMALIES],
    ]);
    const lowestMarked = Math.min(...plots[0].anomalies.map((i) => plots[0].score[i]!));
    const highestUnmarked = Math.max(
      ...plots[0].x.map((x, i) => (plots[0].anomalies.includes(i) ? -1 : score[Math.round((x * 1000) / MINUTE)]))
    );
    expect(lowestMarked).toBeGreaterThanOrEqual(Number(highestUnmarked.toFixed(4)));
    // Each mark at its own row: its value is that row's.
    for (const i of plots[1].anomalies) {
      expect(plots[1].y[i]).toBe(Math.round((plots[1].x[i] * 1000) / MINUTE) + 1);
    }
  });

  it('shows the first metrics of one group wider than the limit', () => {
    const { plots } = collector(1, MAX_REPORT_PLOTS + 50).plots();
    expect(plots.map((p) => p.metric)).toEqual(Array.from({ length: MAX_REPORT_PLOTS }, (_, m) => `m${m}`));
  });
});

describe('SeriesSampler: breaks where data is missing', () => {
  const values = (points: Array<{ value: number }>) => points.map((p) => (Number.isNaN(p.value) ? null : p.value));

  it('every point of a short series, with a break at a missing value and at a jump in time', () => {
    const sampler = new SeriesSampler(true, 0, 100 * MINUTE, 1500);
    [0, 1, 2, 3, 40, 41, 42].forEach((i) => sampler.add(i * MINUTE, i === 2 ? NaN : i, 0.1));
    expect(values(sampler.points())).toEqual([0, 1, null, 3, null, 40, 41, 42]);
  });

  it('a long series in buckets: a break at a missing value and across an empty stretch', () => {
    const rows = PLOT_ALL_POINTS_UP_TO * 2;
    const sampler = new SeriesSampler(false, 0, (rows - 1) * MINUTE, 1500);
    for (let i = 0; i < rows; i++) {
      const inHole = i >= 3000 && i < 3500;
      if (!inHole) {
        sampler.add(i * MINUTE, i === 7000 ? NaN : 1 + (i % 5), 0.1);
      }
    }
    const points = sampler.points();
    const breaks = points.filter((p) => Number.isNaN(p.value)).map((p) => p.timestampMs / MINUTE);
    expect(breaks).toHaveLength(2);
    expect(breaks[0]).toBeGreaterThanOrEqual(2999);
    expect(breaks[0]).toBeLessThan(3500);
    expect(breaks[1]).toBe(7000);
    // Still in time order, as the plot needs.
    expect(points.every((p, i) => i === 0 || p.timestampMs >= points[i - 1].timestampMs)).toBe(true);
  });
});
