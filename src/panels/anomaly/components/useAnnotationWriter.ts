import { useEffect, useRef } from 'react';
import { AnnotatedRegions } from '../annotations/regionDedupe';
import { writeRegionAnnotations } from '../annotations/writeAnnotations';
import type { SeriesMarks } from '../render/seriesMarks';

/**
 * When enabled, writes every new anomaly region as one annotation. What was written is remembered per dashboard
 * and panel in localStorage, so reloading the dashboard does not write the same regions again.
 */
export function useAnnotationWriter(
  enabled: boolean,
  marks: SeriesMarks[] | undefined,
  dashboardUID: string | undefined,
  panelId: number
) {
  const storageKey = `telemetry-anomaly-panel/annotated/${dashboardUID ?? 'unsaved'}/${panelId}`;
  const written = useRef<AnnotatedRegions | undefined>(undefined);

  useEffect(() => {
    if (!enabled || !marks || marks.length === 0) {
      return;
    }
    if (!written.current) {
      written.current = new AnnotatedRegions(readKeys(storageKey));
    }
    const regions = marks.flatMap((m) => m.regions.map((r) => ({ series: m.ref.name, start: r.start, end: r.end })));
    const store = written.current;
    void writeRegionAnnotations(regions, store, { dashboardUID, panelId }).then(() =>
      saveKeys(storageKey, store.keys())
    );
  }, [enabled, marks, dashboardUID, panelId, storageKey]);
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
