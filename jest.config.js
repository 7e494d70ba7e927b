// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const scaffolded = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const swcTransform = scaffolded.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  projects: [
    {
      // The Grafana app and its nested panel (jsdom), on create-plugin's settings.
      ...scaffolded,
      displayName: 'plugin',
      rootDir: __dirname,
      // d3 and friends ship .mjs only: transform those too, not just .js/.ts.
      transform: { ...scaffolded.transform, '^.+\\.mjs$': swcTransform },
      transformIgnorePatterns: [
        nodeModulesToTransform([...grafanaESModules, 'd3-.*', 'internmap', 'robust-predicates']),
      ],
      // React renders in jsdom: ~1-3 s per test alone, several times that on a busy 2-core machine.
      globals: { ...scaffolded.globals, testTimeoutMs: 60_000 },
      setupFilesAfterEnv: [...scaffolded.setupFilesAfterEnv, '<rootDir>/pkg/jest.timeout.js'],
      moduleNameMapper: {
        ...scaffolded.moduleNameMapper,
        '^@telemetry-analyzer/engine$': '<rootDir>/pkg/engine/src/index.ts',
      },
    },
    // The Node workspaces: engine, the shared query layer, CLI, proxy, writer.
    '<rootDir>/pkg/engine',
    '<rootDir>/pkg/query',
    '<rootDir>/pkg/cli',
    '<rootDir>/pkg/proxy',
    '<rootDir>/pkg/writer',
    // Integration tests against real Prometheus, InfluxDB, vmalert and Alertmanager started on 127.0.0.1.
    '<rootDir>/tests/integration',
  ],
};
