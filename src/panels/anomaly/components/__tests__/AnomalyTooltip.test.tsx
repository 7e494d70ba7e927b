import React from 'react';
import { render, screen } from '@testing-library/react';
import { dateTimeFormat } from '@grafana/data';
import type { DrawnRef } from '../../render/chartFrames';
import { testIds } from '../../testIds';
import { AnomalyTooltip } from '../AnomalyTooltip';

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

function showTooltip(slot: number, columnTime: number) {
  render(
    <AnomalyTooltip
      slot={slot}
      time={columnTime}
      timeZone="utc"
      drawn={[drawnWithAnomaly()]}
      scoreOf={() => 0.7}
      formatValue={(_, v) => String(v)}
      explain={async () => null}
      maxWidth={300}
    />
  );
  return screen.getByTestId(testIds.panel.tooltipTime).textContent;
}

describe('AnomalyTooltip', () => {
  it("heads an anomaly with its own time, not its pixel column's (5 s earlier here, a time not in the data)", () => {
    expect(showTooltip(1, SPIKE - 5_000)).toBe(dateTimeFormat(SPIKE, { timeZone: 'utc' }));
  });

  it("heads a column without an anomaly with the column's time", () => {
    expect(showTooltip(0, SPIKE - 65_000)).toBe(dateTimeFormat(SPIKE - 65_000, { timeZone: 'utc' }));
  });

  it('gives another series with an anomaly in the same column its own time', () => {
    const other = drawnWithAnomaly();
    const second = {
      ...other,
      ref: { id: 'mem', name: 'mem' },
      drawn: { ...other.drawn, markTimes: Float64Array.from([NaN, SPIKE + 30_000, NaN]) },
    } as DrawnRef;
    render(
      <AnomalyTooltip
        slot={1}
        time={SPIKE - 5_000}
        timeZone="utc"
        drawn={[drawnWithAnomaly(), second]}
        scoreOf={() => 0.7}
        formatValue={(_, v) => String(v)}
        explain={async () => null}
        maxWidth={300}
      />
    );
    expect(screen.getByTestId(testIds.panel.tooltipTime).textContent).toBe(dateTimeFormat(SPIKE, { timeZone: 'utc' }));
    expect(screen.getAllByTestId(testIds.panel.tooltipAnomalyTime).map((e) => e.textContent)).toEqual([
      `at${dateTimeFormat(SPIKE + 30_000, { timeZone: 'utc' })}`,
    ]);
  });
});
