import { useEffect, useRef } from 'react';
import { AnnotatedRegions, type RegionAnnotation } from '../annotations/regionDedupe';
import { writeRegionAnnotations } from '../annotations/writeAnnotations';

/**
 * When enabled, writes every new anomaly region as one annotation. What this browser wrote is remembered per
 * dashboard and panel in localStorage, so reloading the dashboard does not even ask again; what other browsers wrote
 * is read back from Grafana before writing (writeRegionAnnotations).
 */
export function useAnnotationWriter(
  enabled: boolean,
  regions: RegionAnnotation[] | undefined,
  dashboardUID: string | undefined,
  panelId: number
) {
  const storageKey = `telemetry-anomaly-panel/annotated/${dashboardUID ?? 'unsaved'}/${panelId}`;
  const written = useRef<AnnotatedRegions | undefined>(undefined);

  useEffect(() => {
    if (!enabled || !regions || regions.length === 0) {
      return;
    }
    if (!written.current) {
      written.current = new AnnotatedRegions(readKeys(storageKey));
    }
    const store = written.current;
    void writeRegionAnnotations(regions, store, { dashboardUID, panelId }).then(() =>
      saveKeys(storageKey, store.keys())
    );
  }, [enabled, regions, dashboardUID, panelId, storageKey]);
}

function readKeys(key: string): string[] {
  try {
    const saved = JSON.parse(window.localStorage.getItem(key) ?? '[]');
    return Array.isArray(saved) ? saved.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

function saveKeys(key: string, keys: string[]) {
  try {
    window.localStorage.setItem(key, JSON.stringify(keys));
  } catch {
    // Storage full or blocked: dedupe still holds for this page's lifetime.
  }
}
