import React, { useState } from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import { type BackendSrv, type BackendSrvRequest, setBackendSrv } from '@grafana/runtime';
import { of } from 'rxjs';
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

beforeAll(() => {
  installPlotStubs();
  setBackendSrv({
    fetch: (request: BackendSrvRequest) => {
      requests.push(request.url);
      return of({ data: { jsonData: { defaultContamination: APP_DEFAULT } }, status: 200, ok: true });
    },
  } as unknown as BackendSrv);
});

beforeEach(() => {
  requests = [];
  written = [];
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
