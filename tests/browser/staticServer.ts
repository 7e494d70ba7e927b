/**
 * A node:http static server on 127.0.0.1 for the browser tests, laid out like Grafana serves plugins:
 *   /                                         the host page (tests/browser/host/index.html)
 *   /host/*                                   the host bundle (built by host/buildHost.ts)
 *   /vendor/systemjs/*                        SystemJS 6 and its extras from node_modules
 *   /public/plugins/telemetry-analyzer-app/*  the built plugin (dist/)
 *   /public/build/img/*, /public/img/*        Grafana's icons, which @grafana/ui ships in its package
 *   /api/*                                    Grafana's HTTP API: answered by the test's `apiHandler`, else 404
 *                                             (but the app's plugin settings, with `appJsonData`)
 * Grafana's Inter font files are in no npm package: /public/fonts/* answers 404 and the page uses system fonts.
 * Each test can ask for extra response headers on the host page (e.g. a Content-Security-Policy) via the
 * `headers` option of startStaticServer or per URL through `hostPageHeaders`.
 */
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { grafanaPackages, hostBuildDirectory, repositoryRoot } from './host/buildHost';

export const pluginId = 'telemetry-analyzer-app';
export const pluginBasePath = `/public/plugins/${pluginId}`;
const APP_PLUGIN_ID = pluginId;
const APP_SETTINGS_PATH = `/api/plugins/${APP_PLUGIN_ID}/settings`;
/** Font files Grafana serves from its own repository; the host cannot, so their 404s are expected. */
export const missingGrafanaFontsPath = '/public/fonts/';
/** Grafana's spinner icon, also served from its repository only: 404 here whenever a LoadingPlaceholder shows. */
export const missingGrafanaSpinnerPath = '/public/build/img/icons/unicons/spinner.svg';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const mounts: Array<{ prefix: string; directory: string }> = [
  // BROWSER_TEST_PLUGIN_DIST: another build of the plugin in place of dist/ (bench 35-panel measures an earlier one).
  {
    prefix: `${pluginBasePath}/`,
    directory: process.env.BROWSER_TEST_PLUGIN_DIST ?? path.join(repositoryRoot, 'dist'),
  },
  {
    prefix: '/public/build/img/',
    directory: path.join(grafanaPackages, '@grafana', 'ui', 'dist', 'public', 'img'),
  },
  {
    prefix: '/public/img/',
    directory: path.join(grafanaPackages, '@grafana', 'ui', 'dist', 'public', 'img'),
  },
  { prefix: '/host/', directory: hostBuildDirectory },
  { prefix: '/vendor/systemjs/', directory: path.join(repositoryRoot, 'node_modules', 'systemjs', 'dist') },
];
const hostPagePath = path.join(__dirname, 'host', 'index.html');

export type ApiHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface StaticServer {
  origin: string;
  /** Headers added to the host page response (not to scripts), e.g. { 'Content-Security-Policy': "worker-src 'none'" }. */
  hostPageHeaders: Record<string, string>;
  /** Every path requested so far, in order (e.g. to see which worker script the panel fetched). */
  requestedPaths: string[];
  /** Answers /api/* requests (a test's stand-in for Grafana's HTTP API); unset = 404. */
  apiHandler: ApiHandler | undefined;
  /** The app's jsonData in GET /api/plugins/<app>/settings when no apiHandler is set ({} by default). */
  appJsonData: Record<string, unknown>;
  close(): Promise<void>;
}

function resolveFile(urlPath: string): string | undefined {
  if (urlPath === '/' || urlPath === '/index.html') {
    return hostPagePath;
  }
  for (const { prefix, directory } of mounts) {
    if (urlPath.startsWith(prefix)) {
      const file = path.resolve(directory, '.' + decodeURIComponent(urlPath.slice(prefix.length - 1)));
      // Never serve anything outside the mounted directory.
      return file.startsWith(directory + path.sep) ? file : undefined;
    }
  }
  return undefined;
}

export async function startStaticServer(): Promise<StaticServer> {
  const requestedPaths: string[] = [];
  const state = {
    hostPageHeaders: {} as Record<string, string>,
    apiHandler: undefined as ApiHandler | undefined,
    appJsonData: {} as Record<string, unknown>,
  };

  const server = http.createServer(async (request, response) => {
    // Webpack's production chunk names carry a `?_cache=<hash>` query; Grafana ignores it when serving files.
    const urlPath = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    requestedPaths.push(urlPath);
    if (urlPath.startsWith('/api/') && state.apiHandler) {
      state.apiHandler(request, response);
      return;
    }
    if (urlPath === APP_SETTINGS_PATH && request.method === 'GET') {
      // Grafana's plugin settings of the app: new anomaly panels read their default contamination there.
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ id: APP_PLUGIN_ID, enabled: true, jsonData: state.appJsonData }));
      return;
    }
    const file = resolveFile(urlPath);
    const stat = file ? await fs.stat(file).catch(() => undefined) : undefined;
    if (!file || !stat?.isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end(`Not found: ${urlPath}`);
      return;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-store',
    };
    if (file === hostPagePath) {
      Object.assign(headers, state.hostPageHeaders);
    }
    response.writeHead(200, headers);
    createReadStream(file).pipe(response);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    get hostPageHeaders() {
      return state.hostPageHeaders;
    },
    set hostPageHeaders(headers) {
      state.hostPageHeaders = headers;
    },
    get apiHandler() {
      return state.apiHandler;
    },
    get appJsonData() {
      return state.appJsonData;
    },
    set appJsonData(jsonData) {
      state.appJsonData = jsonData;
    },
    set apiHandler(handler) {
      state.apiHandler = handler;
    },
    requestedPaths,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
