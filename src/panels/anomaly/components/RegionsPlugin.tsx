import { useLayoutEffect, useRef } from 'react';
import type { UPlotConfigBuilder } from '@grafana/ui';
import type { AnomalyRegion } from '../render/anomalyMarks';

interface Props {
  config: UPlotConfigBuilder;
  regions: AnomalyRegion[];
  color: string;
}

/** Shades each run of consecutive anomalies across the plot area, under the series (uPlot draw hook). */
export function RegionsPlugin({ config, regions, color }: Props) {
  const latest = useRef({ regions, color });
  useLayoutEffect(() => {
    latest.current = { regions, color };
  }, [regions, color]);

  useLayoutEffect(() => {
    // Registered once per plot config; reads the latest regions, so new results need no new plot.
    config.addHook('drawClear', (u) => {
      const { regions: current, color: fill } = latest.current;
      const ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = fill;
      for (const region of current) {
        const left = u.valToPos(region.start, 'x', true);
        const right = u.valToPos(region.end, 'x', true);
        // A one-point region still gets a visible band.
        const width = Math.max(right - left, 4 * (window.devicePixelRatio || 1));
        ctx.fillRect(left - (right === left ? width / 2 : 0), u.bbox.top, width, u.bbox.height);
      }
      ctx.restore();
    });
  }, [config]);

  return null;
}
