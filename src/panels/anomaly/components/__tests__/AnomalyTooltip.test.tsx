import React from 'react';
import { render, screen } from '@testing-library/react';
import { dateTimeFormat } from '@grafana/data';
import type { DrawnRef } from '../../render/chartFrames';
import { testIds } from '../../testIds';
import type { Explanation } from '../../worker/messages';
import { AnomalyTooltip, featureLabel } from '../AnomalyTooltip';

const SPIKE = Date.UTC(2024, 0, 1, 1, 40);

/** One series over 3 pixel columns, an anomaly at SPIKE in the middle one. */
function drawnWithAnomaly(): DrawnRef {
  return {
    ref: { id: 'cpu', name: 'cpu' },
    model: { key: 'cpu', label: 'cpu', series: [] },
    drawn: {
      name: 'cpu',
      line: Float64Array.from([1, 9, 1]),
      marks: Float64Array.from([NaN, 9, NaN]),
      markTimes: Float64Array.from([NaN, SPIKE, NaN]),
      regions: new Float64Array(0),
      runs: new Float64Array(0),
      anomalyCount: 1,
      stepMs: 60_000,
    },
  } as unknown as DrawnRef;
}

/** The pixel column of slot 1 in these tests: 01:39:30 to 01:40:30. */
const COLUMN = { startMs: SPIKE - 30_000, endMs: SPIKE + 30_000 };

function tooltip(
  drawn: DrawnRef[],
  {
    slot = 1,
    loneTime = () => undefined,
    maxWidth = 300,
  }: { slot?: number; loneTime?: (d: DrawnRef) => number | undefined; maxWidth?: number } = {},
  explain: (d: DrawnRef, time: number) => Promise<Explanation | null> = async () => null
) {
  render(
    <AnomalyTooltip
      slot={slot}
      column={COLUMN}
      loneTime={loneTime}
      timeZone="utc"
      drawn={drawn}
      scoreOf={() => 0.7}
      formatValue={(_, v) => String(v)}
      explain={explain}
      maxWidth={maxWidth}
    />
  );
  return screen.getByTestId(testIds.panel.tooltipTime).textContent;
}

const utc = (ms: number, format?: string) => dateTimeFormat(ms, { timeZone: 'utc', format });

describe('AnomalyTooltip', () => {
  it("heads an anomaly with its own time, not its pixel column's", () => {
    expect(tooltip([drawnWithAnomaly()])).toBe(utc(SPIKE));
  });

  it("heads a column of one point with that point's time, not the pixel's (a browser review: 01:00:04 over 01:00)", () => {
    expect(tooltip([drawnWithAnomaly()], { slot: 0, loneTime: () => SPIKE - 60_000 })).toBe(utc(SPIKE - 60_000));
  });

  it('heads a column of several points (its values their extremes) with the span it covers', () => {
    expect(tooltip([drawnWithAnomaly()], { slot: 0 })).toBe(
      `${utc(COLUMN.startMs)} – ${utc(COLUMN.endMs - 1, 'HH:mm:ss')}`
    );
  });

  it('gives another series its own time when it differs from the header: an anomaly, or its one point', () => {
    const other = drawnWithAnomaly();
    const second = {
      ...other,
      ref: { id: 'mem', name: 'mem' },
      drawn: { ...other.drawn, markTimes: Float64Array.from([NaN, SPIKE + 30_000, NaN]) },
    } as DrawnRef;
    const third = {
      ...other,
      ref: { id: 'disk', name: 'disk' },
      drawn: { ...other.drawn, marks: Float64Array.from([NaN, NaN, NaN]) },
    } as DrawnRef;
    expect(tooltip([drawnWithAnomaly(), second, third], { loneTime: () => SPIKE + 15_000 })).toBe(utc(SPIKE));
    expect(screen.getAllByTestId(testIds.panel.tooltipAnomalyTime).map((e) => e.textContent)).toEqual([
      `at${utc(SPIKE + 30_000)}`,
      `at${utc(SPIKE + 15_000)}`,
    ]);
  });

  it("names a one-series model's features without the series' name; a model of several series keeps it", async () => {
    const long = 'cpu_usage{instance="node-exporter-01:9100", job="node"}';
    const one = { ...drawnWithAnomaly(), ref: { id: 'cpu', name: long } } as DrawnRef;
    expect(featureLabel(`${long} (rolling std 12)`, one)).toBe('rolling std 12');
    expect(featureLabel(long, one)).toBe('value');
    expect(featureLabel('hour of day (sin)', one)).toBe('hour of day (sin)');
    const several = { ...one, model: { ...one.model, series: [{}, {}] } } as unknown as DrawnRef;
    expect(featureLabel(`${long} (rolling std 12)`, several)).toBe(`${long} (rolling std 12)`);
    tooltip([one], {}, async () => ({ contributions: [{ name: `${long} (diff 1)`, weight: 0.42 }] }) as Explanation);
    expect((await screen.findByTestId(testIds.panel.tooltipContribution)).textContent).toBe('diff 1 drove this (42%)');
  });

  it('is never wider than the room it is given, and wraps what is long', () => {
    tooltip([drawnWithAnomaly()], { maxWidth: 120 });
    const root = screen.getByTestId(testIds.panel.tooltip);
    expect([root.style.maxWidth, root.style.minWidth]).toEqual(['120px', '120px']);
    expect(getComputedStyle(root).whiteSpace).toBe('normal');
  });
});
