import { useLayoutEffect, useRef } from 'react';
import type { UPlotConfigBuilder } from '@grafana/ui';

/** A shaded band: a run of anomalies (merged per pixel) of one series, in that series' colour. */
export interface ShadedRegion {
  start: number;
  end: number;
  color: string;
}

interface Props {
  config: UPlotConfigBuilder;
  regions: ShadedRegion[];
}

/** Shades each run of consecutive anomalies across the plot area, under the series (uPlot draw hook). */
export function RegionsPlugin({ config, regions }: Props) {
  const latest = useRef(regions);
  useLayoutEffect(() => {
    latest.current = regions;
  }, [regions]);

  useLayoutEffect(() => {
    // Registered once per plot config; reads the latest regions, so new results need no new plot.
    config.addHook('drawClear', (u) => {
      const ctx = u.ctx;
      const minWidth = 4 * (window.devicePixelRatio || 1);
      ctx.save();
      for (const region of latest.current) {
        const left = u.valToPos(region.start, 'x', true);
        const right = u.valToPos(region.end, 'x', true);
        // A one-point region still gets a visible band.
        const width = Math.max(right - left, minWidth);
        ctx.fillStyle = region.color;
        ctx.fillRect(
          left - (right - left < minWidth ? (width - (right - left)) / 2 : 0),
          u.bbox.top,
          width,
          u.bbox.height
        );
      }
      ctx.restore();
    });
  }, [config]);

  return null;
}
