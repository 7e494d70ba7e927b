/**
 * Bundles the test host with webpack — the bundler Grafana itself uses. (esbuild is not an option: @grafana/data's
 * circular imports evaluate in the wrong order under it.) Production mode for React's production build, as in
 * Grafana, but without minification to keep the build short; the filesystem cache makes re-runs fast.
 */
import path from 'node:path';
import webpack, { type Configuration } from 'webpack';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const hostBuildDirectory = path.join(
  repositoryRoot,
  'node_modules',
  '.cache',
  'telemetry-analyzer-browser-host'
);

function hostWebpackConfig(): Configuration {
  return {
    mode: 'production',
    context: __dirname,
    entry: { host: path.join(__dirname, 'hostEntry.tsx') },
    devtool: false,
    target: 'web',
    output: { path: hostBuildDirectory, filename: '[name].js', publicPath: '/host/', clean: true },
    optimization: { minimize: false, splitChunks: false },
    performance: { hints: false },
    cache: {
      type: 'filesystem',
      cacheDirectory: path.join(repositoryRoot, 'node_modules', '.cache', 'telemetry-analyzer-browser-host-webpack'),
      buildDependencies: { config: [__filename] },
    },
    resolve: { extensions: ['.tsx', '.ts', '.mjs', '.js', '.json'] },
    module: {
      rules: [
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
