import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      '**/dist/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
    ],
  },
  ...baseConfig,
  {
    // create-plugin lints src/; the workspaces, tests, bench and scripts get the same rules.
    files: ['pkg/**/*.ts', 'tests/**/*.{ts,tsx}', 'bench/**/*.js', 'scripts/**/*.js', 'webpack.config.ts'],
  },
  {
    files: [
      'bench/**/*.js',
      'scripts/**/*.js',
      'pkg/*/bin/*.js',
      'pkg/*/jest.config.js',
      'pkg/jest.base.js',
      'tests/**/*.js',
    ],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
  {
    // The browser test host stands in for Grafana's own shell: it registers moment as a shared module (as Grafana
    // does) and records render observations for the tests, which React's production rules rightly forbid in src/.
    files: ['tests/browser/host/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': 'off',
      'react-hooks/refs': 'off',
      'react-hooks/immutability': 'off',
      'react-hooks/set-state-in-effect': 'off',
    },
  },
]);
