import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { type AnnotatedRegions, type RegionAnnotation } from './regionDedupe';

export interface AnnotationTarget {
  dashboardUID?: string;
  panelId: number;
}

/**
 * Writes each region not written before as one Grafana annotation (POST /api/annotations). A failed write is
 * forgotten, so it is retried on the next refresh; returns how many were written.
 */
export async function writeRegionAnnotations(
  regions: RegionAnnotation[],
  written: AnnotatedRegions,
  target: AnnotationTarget
): Promise<number> {
  let count = 0;
  for (const region of written.take(regions)) {
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: '/api/annotations',
          method: 'POST',
          data: {
            dashboardUID: target.dashboardUID,
            panelId: target.panelId,
            time: region.start,
            timeEnd: region.end,
            tags: ['anomaly', region.series],
            text: `Anomaly in ${region.series}`,
          },
          showErrorAlert: false,
        })
      );
      count++;
    } catch {
      written.forget(region);
    }
  }
  return count;
}
