/**
 * Bundles the test host with webpack — the bundler Grafana itself uses. (esbuild is not an option: @grafana/data's
 * circular imports evaluate in the wrong order under it.) Production mode for React's production build, minified as
 * Grafana's own bundles are. swc minifies (~5 s for the host's ~11 MB, against minutes with terser), and every test
 * opens the host page: minified, the page is ready ~1.5 s sooner (2.9-3.2 s against 4.2-5.2 s per open, measured on
 * the 2-core machine), which over the ~60 opens of a CI run is worth far more than the minification. The filesystem
 * cache makes re-runs fast.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import TerserPlugin from 'terser-webpack-plugin';
import webpack, { type Configuration } from 'webpack';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');

/**
 * The node_modules directory the host takes Grafana's shared libraries from (@grafana/*, React and what they
 * depend on): the repository's own by default (the versions in package.json), or another Grafana release's when
 * GRAFANA_PACKAGES names one (scripts/browser-grafana-versions.sh installs 12.3.3, and 13.2.3 with React 19, each in a
 * directory of its own), so the same built plugin is tested against each Grafana version it supports.
 */
export const grafanaPackages = process.env.GRAFANA_PACKAGES
  ? path.resolve(process.env.GRAFANA_PACKAGES)
  : path.join(repositoryRoot, 'node_modules');

const hostBuildName = process.env.GRAFANA_PACKAGES
  ? `telemetry-analyzer-browser-host-${createHash('sha256').update(grafanaPackages).digest('hex').slice(0, 12)}`
  : 'telemetry-analyzer-browser-host';
export const hostBuildDirectory = path.join(repositoryRoot, 'node_modules', '.cache', hostBuildName);

/** The @grafana/ui version the host runs (shown in test titles and failures). */
export function grafanaVersion(): string {
  return (
    JSON.parse(readFileSync(path.join(grafanaPackages, '@grafana', 'ui', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

function hostWebpackConfig(): Configuration {
  return {
    mode: 'production',
    context: __dirname,
    entry: { host: path.join(__dirname, 'hostEntry.tsx') },
    devtool: false,
    target: 'web',
    output: { path: hostBuildDirectory, filename: '[name].js', publicPath: '/host/', clean: true },
    optimization: {
      minimize: true,
      minimizer: [
        new TerserPlugin({
          minify: TerserPlugin.swcMinify,
          extractComments: false,
          // Function and class names kept: a CPU profile of the page still names the host's and its libraries'
          // functions (React 18's production build comes minified already). ~5.0 MB against ~4.4 MB; opens measured
          // the same within their spread.
          terserOptions: {
            compress: { keep_fnames: true, keep_classnames: true },
            mangle: { keep_fnames: true, keep_classnames: true },
          },
        }),
      ],
      splitChunks: false,
    },
    performance: { hints: false },
    cache: {
      type: 'filesystem',
      cacheDirectory: `${hostBuildDirectory}-webpack`,
      buildDependencies: { config: [__filename] },
    },
    plugins: [new webpack.DefinePlugin({ __HOST_GRAFANA_UI_VERSION__: JSON.stringify(grafanaVersion()) })],
    resolve: {
      extensions: ['.tsx', '.ts', '.mjs', '.js', '.json'],
      // Another Grafana release's packages first, for the host's imports and theirs alike: one React, one
      // @grafana/data, as in Grafana.
      modules: [grafanaPackages, 'node_modules'],
    },
    module: {
      rules: [
        // Grafana shares 'react-router' v6 with plugins (react-router-dom-v5-compat; grafana/grafana
        // public/app/features/plugins/loader/sharedDependencies.ts), whatever its @grafana/ui depends on (v5 in
        // 12.3 and 13.2): the host's own imports take the repository's v6.
        {
          // (A rule's resolve options apply to the imports of the modules it matches: the host's own files.)
          include: __dirname,
          resolve: { alias: { 'react-router$': path.join(repositoryRoot, 'node_modules', 'react-router') } },
        },
        // @grafana/ui's ESM build imports 'ol/...' without file extensions; Grafana's own webpack config allows it.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true } },
            },
          },
        },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.(woff2?|ttf|eot|svg|png)$/, type: 'asset/resource' },
      ],
    },
  };
}

export function buildHostBundle(): Promise<string> {
  return new Promise((resolve, reject) => {
    webpack(hostWebpackConfig(), (error, stats) => {
      if (error) {
        reject(error);
        return;
      }
      if (!stats || stats.hasErrors()) {
        reject(new Error(`The browser test host failed to build:\n${stats?.toString('errors-only')}`));
        return;
      }
      stats.compilation.compiler.close(() => resolve(hostBuildDirectory));
    });
  });
}
