import { of, throwError } from 'rxjs';
import { AnnotatedRegions } from '../regionDedupe';
import { writeRegionAnnotations } from '../writeAnnotations';

interface Saved {
  dashboardUID?: string;
  panelId: number;
  time: number;
  timeEnd: number;
  tags: string[];
}

/**
 * Grafana's annotation API as the panel uses it (pkg/api/annotations.go: POST saves, GET filters by dashboardUID,
 * panelId, every tag given, and annotations overlapping from..to; the annotation store returns tags in no set
 * order). Grafana's backend service exists only inside Grafana: here it answers from this store.
 */
class AnnotationStore {
  readonly saved: Saved[] = [];
  failReads = false;

  fetch = jest.fn((request: { url: string; method: string; data?: Saved; params?: Record<string, unknown> }) => {
    if (request.method === 'POST') {
      this.saved.push({ ...request.data!, tags: [...request.data!.tags].reverse() });
      return of({ data: { id: this.saved.length } });
    }
    if (this.failReads) {
      return throwError(() => new Error('502'));
    }
    const p = request.params!;
    const tags = ([] as unknown[]).concat(p.tags ?? []);
    return of({
      data: this.saved.filter(
        (a) =>
          (p.dashboardUID === undefined || a.dashboardUID === p.dashboardUID) &&
          a.panelId === p.panelId &&
          tags.every((tag) => a.tags.includes(String(tag))) &&
          a.time <= Number(p.to) &&
          a.timeEnd >= Number(p.from)
      ),
    });
  });

  posts() {
    return this.fetch.mock.calls.filter(([request]) => request.method === 'POST').length;
  }
}

let store: AnnotationStore;
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: (request: never) => store.fetch(request) }),
}));

describe('writeRegionAnnotations', () => {
  beforeEach(() => (store = new AnnotationStore()));

  it('posts one annotation per new region, never the same region twice', async () => {
    const written = new AnnotatedRegions();
    const regions = [{ series: 'cpu', start: 1000, end: 5000 }];
    expect(await writeRegionAnnotations(regions, written, { dashboardUID: 'dash', panelId: 4 })).toBe(1);
    expect(await writeRegionAnnotations(regions, written, { dashboardUID: 'dash', panelId: 4 })).toBe(0);
    expect(store.posts()).toBe(1);
    expect(store.saved[0]).toMatchObject({ dashboardUID: 'dash', panelId: 4, time: 1000, timeEnd: 5000 });
    expect(store.saved[0].tags.sort()).toEqual(['anomaly', 'cpu']);
  });

  it('does not write what another browser already wrote (another user, a TV screen, the image renderer)', async () => {
    const target = { dashboardUID: 'dash', panelId: 4 };
    const regions = [
      { series: 'cpu', start: 1000, end: 5000 },
      { series: 'anomaly', start: 1000, end: 2000 }, // a series may carry the tag's name
    ];
    expect(await writeRegionAnnotations(regions, new AnnotatedRegions(), target)).toBe(2);
    // A second browser, its own memory empty, with one more region since.
    const later = [...regions, { series: 'cpu', start: 9000, end: 9500 }];
    expect(await writeRegionAnnotations(later, new AnnotatedRegions(), target)).toBe(1);
    expect(store.saved.map((a) => a.time)).toEqual([1000, 1000, 9000]);
    // The same regions on another panel are that panel's own.
    expect(await writeRegionAnnotations(regions, new AnnotatedRegions(), { ...target, panelId: 5 })).toBe(2);
  });

  it('writes nothing while the existing annotations cannot be read, and tries again on the next refresh', async () => {
    const written = new AnnotatedRegions();
    const regions = [{ series: 'cpu', start: 1000, end: 5000 }];
    store.failReads = true;
    expect(await writeRegionAnnotations(regions, written, { panelId: 4 })).toBe(0);
    expect(store.posts()).toBe(0);
    store.failReads = false;
    expect(await writeRegionAnnotations(regions, written, { panelId: 4 })).toBe(1);
  });

  it('retries a region whose write failed on the next refresh', async () => {
    const written = new AnnotatedRegions();
    const regions = [{ series: 'cpu', start: 1000, end: 5000 }];
    const save = store.fetch.getMockImplementation()!;
    store.fetch.mockImplementationOnce(save).mockImplementationOnce(() => throwError(() => new Error('503')));
    expect(await writeRegionAnnotations(regions, written, { panelId: 4 })).toBe(0);
    expect(await writeRegionAnnotations(regions, written, { panelId: 4 })).toBe(1);
  });
});
