import { of, throwError } from 'rxjs';
import { AnnotatedRegions } from '../regionDedupe';
import { writeRegionAnnotations } from '../writeAnnotations';

const fetch = jest.fn();
// Grafana's backend service exists only inside Grafana; here it records the requests.
jest.mock('@grafana/runtime', () => ({ ...jest.requireActual('@grafana/runtime'), getBackendSrv: () => ({ fetch }) }));

describe('writeRegionAnnotations', () => {
  beforeEach(() => fetch.mockReset());

  it('posts one annotation per new region, never the same region twice', async () => {
    fetch.mockReturnValue(of({ data: { id: 1 } }));
    const written = new AnnotatedRegions();
    const regions = [{ series: 'cpu', start: 1000, end: 5000 }];
    expect(await writeRegionAnnotations(regions, written, { dashboardUID: 'dash', panelId: 4 })).toBe(1);
    expect(await writeRegionAnnotations(regions, written, { dashboardUID: 'dash', panelId: 4 })).toBe(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toMatchObject({
      url: '/api/annotations',
      method: 'POST',
      data: { dashboardUID: 'dash', panelId: 4, time: 1000, timeEnd: 5000, tags: ['anomaly', 'cpu'] },
    });
  });

  it('retries a region whose write failed on the next refresh', async () => {
    fetch.mockReturnValueOnce(throwError(() => new Error('503'))).mockReturnValue(of({ data: {} }));
    const written = new AnnotatedRegions();
    const regions = [{ series: 'cpu', start: 1000, end: 5000 }];
    expect(await writeRegionAnnotations(regions, written, { panelId: 4 })).toBe(0);
    expect(await writeRegionAnnotations(regions, written, { panelId: 4 })).toBe(1);
  });
});
