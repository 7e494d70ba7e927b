import React, { useState } from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import type { DataQueryRequest } from '@grafana/data';
import { type BackendSrv, type BackendSrvRequest, setBackendSrv } from '@grafana/runtime';
import { type Observable, Subject, of, throwError } from 'rxjs';
import { forgetAppDefaultContamination } from '../../options/appDefaults';
import { testIds } from '../../testIds';
import { prometheusFrame, syntheticSeries } from '../../testing/frames';
import { installPlotStubs } from '../../testing/jsdomPlot';
import { panelProps } from '../../testing/panelProps';
import type { AnomalyOptions } from '../../types';
import { MainThreadScorer } from '../../worker/scorer';
import { AnomalyPanel } from '../AnomalyPanel';

/** The app's config page saved 0.05 as its default contamination (Grafana's plugin settings API answers it). */
const APP_DEFAULT = 0.05;
let requests: string[];
/** Grafana's answer to the plugin settings request (GET /api/plugins/telemetry-analyzer-app/settings). */
let settings: () => Observable<unknown>;
const answered = () => of({ data: { jsonData: { defaultContamination: APP_DEFAULT } }, status: 200, ok: true });
/** The annotations POSTed (time, end, tags), in order. */
let posted: string[];

beforeAll(() => {
  installPlotStubs();
  setBackendSrv({
    fetch: (request: BackendSrvRequest) => {
      requests.push(request.url);
      if (request.url.endsWith('/settings')) {
        return settings();
      }
      if (request.url === '/api/annotations' && request.method === 'POST') {
        const { time, timeEnd, tags } = request.data;
        posted.push(`${time}-${timeEnd} ${tags.join(',')}`);
      }
      // GET /api/annotations: none written by others.
      return of({ data: request.method === 'POST' ? {} : [], status: 200, ok: true });
    },
  } as unknown as BackendSrv);
});

beforeEach(() => {
  requests = [];
  written = [];
  posted = [];
  settings = answered;
  // Every test a page of its own: the app's settings read anew, no annotations remembered.
  forgetAppDefaultContamination();
  window.localStorage.clear();
});

const frames = [prometheusFrame(syntheticSeries(200, [150]), { __name__: 'cpu' })];
const scorer = () => new MainThreadScorer('Web Workers are not available here');

/** The anomalies a panel saved with this contamination shows. */
async function anomalyCount(contamination: number): Promise<string | null> {
  const { unmount } = render(<AnomalyPanel {...panelProps(frames, { contamination })} createScorer={scorer} />);
  const panel = screen.getByTestId(testIds.panel.container);
  await waitFor(() => expect(panel).toHaveAttribute('data-state', 'ready'));
  const count = panel.getAttribute('data-anomaly-count');
  unmount();
  return count;
}

/** The options the panel handed Grafana (onOptionsChange), in order. */
let written: unknown[];

/**
 * Grafana's side of the panel: the options it holds for the dashboard, which onOptionsChange replaces (and a later
 * dashboard save writes, shown as a change in the save diff: PanelModel/VizPanel onOptionsChange).
 */
function DashboardPanel({ loaded }: { loaded: Partial<AnomalyOptions> }) {
  const [options, setOptions] = useState(loaded);
  return (
    <AnomalyPanel
      {...panelProps(frames, {})}
      options={options as AnomalyOptions}
      onOptionsChange={(changed) => {
        written.push(changed);
        setOptions(changed);
      }}
      createScorer={scorer}
    />
  );
}

describe("a panel without a contamination of its own and the app's default contamination", () => {
  it('is analysed at the app’s default, and viewing it leaves nothing for a dashboard save to write', async () => {
    const atAppDefault = await anomalyCount(APP_DEFAULT);
    // The test tells the two apart: the built-in 0.01 marks fewer points.
    expect(await anomalyCount(0.01)).not.toBe(atAppDefault);

    // What a panel just added to a dashboard has (or one saved without it): every option but contamination.
    const { contamination, ...loaded } = panelProps(frames, {}).options;
    render(<DashboardPanel loaded={loaded} />);
    const panel = screen.getByTestId(testIds.panel.container);
    await waitFor(() => expect(panel).toHaveAttribute('data-anomaly-count', atAppDefault));
    expect(panel).toHaveAttribute('data-state', 'ready');
    expect(requests).toContain('/api/plugins/telemetry-analyzer-app/settings');
    await act(async () => {});
    // The options Grafana holds are those it loaded: the dashboard is not changed by being viewed.
    expect(written).toEqual([]);
  });
});

/** The props of a panel on a saved dashboard that writes its anomalies as annotations, with no contamination saved. */
function annotatingProps(options: Partial<AnomalyOptions>) {
  const props = panelProps(frames, { writeAnnotations: true, ...options });
  props.data.request = { targets: [{ refId: 'A' }], dashboardUID: 'dash-1' } as unknown as DataQueryRequest;
  return props;
}

/** Where useAnnotationWriter keeps what it wrote, once a write round is over. */
const ANNOTATED_KEY = 'telemetry-anomaly-panel/annotated/dash-1/1';

/** The annotations a panel saved with this contamination writes (each write round over: its keys stored). */
async function annotationsWritten(contamination: number): Promise<string[]> {
  const { unmount } = render(<AnomalyPanel {...annotatingProps({ contamination })} createScorer={scorer} />);
  await waitFor(() => expect(window.localStorage.getItem(ANNOTATED_KEY)).not.toBeNull());
  unmount();
  const written = [...posted].sort();
  posted = [];
  window.localStorage.clear();
  return written;
}

describe('a panel without a contamination of its own, while the app’s settings are read', () => {
  it('scores nothing and writes no annotation until the app’s default is known, then only at it', async () => {
    const atAppDefault = await annotationsWritten(APP_DEFAULT);
    // The built-in 0.01 writes others: what a panel that did not wait wrote (a browser review: 5 annotations for
    // anomalies no longer shown once the app's default arrived).
    expect(await annotationsWritten(0.01)).not.toEqual(atAppDefault);
    const countAtAppDefault = await anomalyCount(APP_DEFAULT);

    const held = new Subject<unknown>();
    settings = () => held;
    const analysed = jest.fn();
    const counting = () => {
      const s = scorer();
      const analyse = s.analyse.bind(s);
      s.analyse = (...args) => {
        analysed();
        return analyse(...args);
      };
      return s;
    };
    const { contamination, ...unset } = annotatingProps({}).options;
    render(<AnomalyPanel {...annotatingProps({})} options={unset as AnomalyOptions} createScorer={counting} />);
    const panel = screen.getByTestId(testIds.panel.container);
    // The panel settles in one of two states: waiting for the settings, or (had it not waited) showing a result.
    await waitFor(() =>
      expect(
        panel.getAttribute('data-state') === 'ready' ||
          screen.queryByText('Reading the app’s default contamination…') !== null
      ).toBe(true)
    );
    expect(panel).toHaveAttribute('data-state', 'loading');
    expect(analysed).not.toHaveBeenCalled();
    expect(posted).toEqual([]);

    act(() => {
      held.next({ data: { jsonData: { defaultContamination: APP_DEFAULT } }, status: 200, ok: true });
      held.complete();
    });
    await waitFor(() => expect(panel).toHaveAttribute('data-state', 'ready'));
    expect(panel).toHaveAttribute('data-anomaly-count', countAtAppDefault);
    await waitFor(() => expect(window.localStorage.getItem(ANNOTATED_KEY)).not.toBeNull());
    expect([...posted].sort()).toEqual(atAppDefault);
    expect(screen.queryByTestId(testIds.panel.appDefaultNote)).toBeNull();
  });

  it('uses the built-in default and says so in one line when Grafana refuses the settings (401)', async () => {
    const countAtBuiltIn = await anomalyCount(0.01);
    // A public dashboard's viewer, or a user without plugins.app:access (pkg/api/plugins.go GetPluginSettingByID).
    settings = () => throwError(() => ({ status: 401, data: { message: 'Unauthorized' } }));
    const { contamination, ...unset } = panelProps(frames, {}).options;
    render(<AnomalyPanel {...panelProps(frames, {})} options={unset as AnomalyOptions} createScorer={scorer} />);
    const panel = screen.getByTestId(testIds.panel.container);
    await waitFor(() => expect(panel).toHaveAttribute('data-state', 'ready'));
    expect(panel).toHaveAttribute('data-anomaly-count', countAtBuiltIn);
    const note = screen.getByTestId(testIds.panel.appDefaultNote);
    expect(note).toHaveTextContent(
      'The app’s default contamination could not be read (HTTP 401): this panel uses the built-in 0.01.'
    );
    // A note, not an error.
    expect(note).not.toHaveAttribute('role', 'alert');
    expect(screen.queryByTestId(testIds.panel.error)).toBeNull();
  });
});

describe('a panel saved with a value that is no contamination', () => {
  it.each([
    ['0', 0],
    ['null (as tools write dashboards)', null],
    ['"AUTO"', 'AUTO'],
  ])('(%s) is analysed at the app’s default, as one saved without', async (_, value) => {
    const countAtAppDefault = await anomalyCount(APP_DEFAULT);
    const props = panelProps(frames, {});
    const options = { ...props.options, contamination: value } as unknown as AnomalyOptions;
    render(<AnomalyPanel {...props} options={options} createScorer={scorer} />);
    const panel = screen.getByTestId(testIds.panel.container);
    await waitFor(() => expect(panel).toHaveAttribute('data-state', 'ready'));
    expect(panel).toHaveAttribute('data-anomaly-count', countAtAppDefault);
    expect(requests).toContain('/api/plugins/telemetry-analyzer-app/settings');
  });
});
