import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { type AnnotatedRegions, type RegionAnnotation, regionKey } from './regionDedupe';

export interface AnnotationTarget {
  dashboardUID?: string;
  panelId: number;
}

/** The tag every anomaly annotation carries; the second tag is the series. */
export const ANOMALY_TAG = 'anomaly';

/** Most annotations read back per write round (Grafana's own default is 100). */
const EXISTING_LIMIT = 5000;

/** An annotation as GET /api/annotations returns it (the fields read here). */
interface SavedAnnotation {
  time?: number;
  tags?: string[];
}

/**
 * Writes each region not written before as one Grafana annotation (POST /api/annotations). What this browser wrote
 * is in `written`; what others wrote (another user, a TV screen, the image renderer: every viewer may annotate) is
 * read back from Grafana first, and a region already there is not written again. A failed read or write is
 * forgotten, so it is retried on the next refresh; returns how many were written.
 */
export async function writeRegionAnnotations(
  regions: RegionAnnotation[],
  written: AnnotatedRegions,
  target: AnnotationTarget
): Promise<number> {
  const fresh = written.take(regions);
  if (fresh.length === 0) {
    return 0;
  }
  let saved: Set<string>;
  try {
    saved = await savedRegionKeys(fresh, target);
  } catch {
    fresh.forEach((region) => written.forget(region));
    return 0;
  }
  let count = 0;
  for (const region of fresh) {
    if (saved.has(regionKey(region))) {
      continue;
    }
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
            tags: [ANOMALY_TAG, region.series],
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

/**
 * The panel's anomaly annotations already in Grafana over the regions' span, as start + series keys. Grafana
 * (pkg/api/annotations.go GetAnnotations) filters by dashboardUID, panelId, tags (all must match) and the range.
 */
async function savedRegionKeys(regions: RegionAnnotation[], target: AnnotationTarget): Promise<Set<string>> {
  const from = Math.min(...regions.map((region) => region.start));
  const to = Math.max(...regions.map((region) => region.end));
  const response = await lastValueFrom(
    getBackendSrv().fetch<SavedAnnotation[]>({
      url: '/api/annotations',
      method: 'GET',
      params: {
        ...(target.dashboardUID === undefined ? {} : { dashboardUID: target.dashboardUID }),
        panelId: target.panelId,
        tags: ANOMALY_TAG,
        type: 'annotation',
        from,
        to,
        limit: EXISTING_LIMIT,
      },
      showErrorAlert: false,
    })
  );
  const keys = new Set<string>();
  for (const { time, tags = [] } of Array.isArray(response.data) ? response.data : []) {
    const ours = tags.indexOf(ANOMALY_TAG);
    if (typeof time !== 'number' || ours < 0) {
      continue;
    }
    // The other tag is the series (which may be called "anomaly" too): keyed as this browser keys what it wrote.
    tags.filter((_, i) => i !== ours).forEach((series) => keys.add(regionKey({ series, start: time })));
  }
  return keys;
}
