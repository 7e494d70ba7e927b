import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { AppRootProps, PluginType } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import App from './App';
import { testIds } from '../testIds';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  // PluginPage needs Grafana's app chrome; outside Grafana it renders its children.
  PluginPage: ({ children }: { children: React.ReactNode }) => <>{children}</>,
}));

describe('Components/App', () => {
  const props = {
    basename: 'a/telemetry-analyzer-app',
    meta: {
      id: 'telemetry-analyzer-app',
      name: 'Telemetry Analyzer',
      type: PluginType.app,
      enabled: true,
      jsonData: {},
    },
    query: {},
    path: '',
    onNavChanged: jest.fn(),
  } as unknown as AppRootProps;

  test.each(['/', '/overview', '/some/old/page'])('shows the overview page at %s', async (path) => {
    render(
      <MemoryRouter initialEntries={[path]}>
        <App {...props} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.overview.container)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /add the anomaly panel/i })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /alerting through the anomaly proxy/i })).toBeInTheDocument();
  });
});
