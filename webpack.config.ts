/*
 * Extends create-plugin's webpack config (never edited: .config/ is scaffolded), as
 * https://grafana.com/developers/plugin-tools/how-to-guides/extend-configurations describes:
 *  - `@telemetry-analyzer/engine` resolves to the engine's TypeScript sources (pkg/engine/src);
 *  - the panel's scoring worker is bundled first, on its own (engine included), and the panel imports that bundle as
 *    a string: it starts from a blob: URL, so it works wherever the plugin's files are served from (CDN, other origin).
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import webpack, { type Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const ENGINE_ENTRY = path.resolve(__dirname, 'pkg/engine/src/index.ts');
const WORKER_ENTRY = path.resolve(__dirname, 'src/panels/anomaly/worker/anomalyWorker.ts');
// Inside node_modules, so the plugin's swc rule (which excludes node_modules) leaves the finished bundle alone.
const WORKER_OUT_DIR = path.resolve(__dirname, 'node_modules/.cache/telemetry-analyzer-worker');
const WORKER_BUNDLE = path.join(WORKER_OUT_DIR, 'anomaly-worker.js');
const WORKER_CONFIG_NAME = 'anomaly-worker';

const engineAlias = { '@telemetry-analyzer/engine$': ENGINE_ENTRY };

function workerConfig(env: Env): Configuration {
  return {
    name: WORKER_CONFIG_NAME,
    mode: env.production ? 'production' : 'development',
    target: 'webworker',
    entry: WORKER_ENTRY,
    devtool: false,
    output: { path: WORKER_OUT_DIR, filename: path.basename(WORKER_BUNDLE), clean: true, iife: true },
    resolve: { extensions: ['.ts', '.js'], alias: engineAlias },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: { jsc: { target: 'es2020', parser: { syntax: 'typescript' } } },
          },
        },
      ],
    },
    optimization: { minimize: Boolean(env.production) },
    performance: { hints: false },
  };
}

const config = async (env: Env): Promise<Configuration[]> => {
  const baseConfig = await grafanaConfig(env);
  const pluginConfig = merge(baseConfig, {
    name: 'plugin',
    dependencies: [WORKER_CONFIG_NAME],
    resolve: { alias: engineAlias },
    module: {
      rules: [{ test: (resource: string) => resource === WORKER_BUNDLE, type: 'asset/source' }],
    },
    plugins: [
      // create-plugin copies only the app's logos; the nested panel's plugin.json points at its own.
      new CopyWebpackPlugin({ patterns: [{ from: 'panels/anomaly/img', to: 'panels/anomaly/img' }] }),
      // The placeholder module (an empty string, used by unit tests) becomes the worker bundle's text.
      new webpack.NormalModuleReplacementPlugin(/[\\/]worker[\\/]inlineWorkerSource(\.ts)?$/, WORKER_BUNDLE),
    ],
  });
  return [workerConfig(env), pluginConfig];
};

export default config;
