import React from 'react';
import { render, screen } from '@testing-library/react';
import { LoadingState, type PanelProps, dateTime, getDefaultTimeRange } from '@grafana/data';
import { withDefaults } from '../../options/defaults';
import { testIds } from '../../testIds';
import { prometheusFrame, syntheticSeries, times } from '../../testing/frames';
import type { AnomalyOptions } from '../../types';
import { MainThreadScorer } from '../../worker/scorer';
import { AnomalyPanel } from '../AnomalyPanel';
import { type ScorerFactory, defaultScorerFactory } from '../useAnalysis';

// jsdom has no canvas, Path2D nor ResizeObserver; uPlot measures text and draws through this no-op 2D context (the browser tests see real pixels).
beforeAll(() => {
  const store: Record<string | symbol, unknown> = {};
  const context = new Proxy(store, {
    get: (target, key) =>
      key in target ? target[key] : key === 'measureText' ? () => ({ width: 8 }) : () => undefined,
    set: (target, key, value) => {
      target[key] = value;
      return true;
    },
  });
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => context as never);
  // uPlot builds its paths as Path2D objects.
  Object.assign(globalThis, {
    Path2D: class {
      moveTo() {}
      lineTo() {}
      rect() {}
      arc() {}
      closePath() {}
      addPath() {}
      bezierCurveTo() {}
      quadraticCurveTo() {}
    },
    // Grafana's tooltip watches the plot's size; jsdom lays nothing out, so there is nothing to observe.
    ResizeObserver: class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  });
});

function renderPanel(
  series: PanelProps['data']['series'],
  options: Partial<AnomalyOptions> = {},
  createScorer: ScorerFactory = () => new MainThreadScorer('Web Workers are not available here')
) {
  const n = series[0]?.length ?? 1;
  const props = {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    options: withDefaults({ trees: 20, ...options }),
    width: 600,
    height: 300,
    timeRange: { from: dateTime(times(n)[0]), to: dateTime(times(n)[n - 1]), raw: { from: 'now-1h', to: 'now' } },
    timeZone: 'utc',
    fieldConfig: { defaults: {}, overrides: [] },
  } as unknown as PanelProps<AnomalyOptions>;
  return render(<AnomalyPanel {...props} createScorer={createScorer} />);
}

describe('AnomalyPanel states', () => {
  it('says there is no data', async () => {
    renderPanel([]);
    expect(await screen.findByTestId(testIds.panel.noData)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.panel.container)).toHaveAttribute('data-state', 'no-data');
  });

  it('says how many points are needed and why', async () => {
    renderPanel([prometheusFrame(syntheticSeries(10), { __name__: 'cpu' })], { window: 12, lags: 1 });
    const message = await screen.findByTestId(testIds.panel.notEnoughData);
    expect(message).toHaveTextContent('10 points in the visible range; at least 19 are needed');
    expect(message).toHaveTextContent(/window − 1 = 11/);
  });

  it('says a constant series has nothing to find', async () => {
    renderPanel([prometheusFrame(new Array(100).fill(3), { __name__: 'up' })]);
    expect(await screen.findByTestId(testIds.panel.constantSeries)).toHaveTextContent(/does not change/);
  });

  it('shows the chart, the anomaly count and the main-thread notice when no worker can start', async () => {
    renderPanel([prometheusFrame(syntheticSeries(200, [150]), { __name__: 'cpu' })], {}, defaultScorerFactory);
    const summary = await screen.findByTestId(testIds.panel.summary);
    expect(Number(summary.getAttribute('data-anomaly-count'))).toBeGreaterThan(0);
    expect(screen.getByTestId(testIds.panel.chart)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.panel.workerFallbackNotice)).toHaveTextContent(/not available/);
    expect(screen.getAllByTestId(testIds.panel.region).length).toBeGreaterThan(0);
  });
});
