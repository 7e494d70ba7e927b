/**
 * The libraries Grafana shares with plugins. A plugin's AMD bundle lists them as dependencies by bare name
 * (see .config/bundler/externals.ts); Grafana's loader puts its own instances into the SystemJS registry under
 * URL-like ids and maps the bare names to those ids with an import map. The host does the same, so the plugin
 * runs against the host's one copy of React and @grafana/* — which is what makes `instanceof AppPlugin` hold.
 */
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaI18n from '@grafana/i18n';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as i18next from 'i18next';
import * as jquery from 'jquery';
import * as lodash from 'lodash';
import * as moment from 'moment';
import * as react from 'react';
import * as reactJsxRuntime from 'react/jsx-runtime';
import * as reactJsxDevRuntime from 'react/jsx-dev-runtime';
import * as reactDom from 'react-dom';
import * as reactDomClient from 'react-dom/client';
import * as reactRedux from 'react-redux';
import * as reactRouter from 'react-router';
import * as reactRouterDom from 'react-router-dom';
import * as redux from 'redux';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

import type { SystemJSLoader } from './systemjs';

export const sharedModules: Record<string, object> = {
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  '@grafana/data': grafanaData,
  '@grafana/i18n': grafanaI18n,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  i18next,
  jquery,
  lodash,
  moment,
  react,
  'react/jsx-runtime': reactJsxRuntime,
  'react/jsx-dev-runtime': reactJsxDevRuntime,
  'react-dom': reactDom,
  'react-dom/client': reactDomClient,
  'react-redux': reactRedux,
  'react-router': reactRouter,
  'react-router-dom': reactRouterDom,
  redux,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

/** Registers every shared module as `package:<name>` and maps the bare name to it, like Grafana's plugin loader. */
export function registerSharedModules(system: SystemJSLoader): void {
  const imports: Record<string, string> = {};
  for (const [name, namespace] of Object.entries(sharedModules)) {
    const registryId = `package:${name}`;
    system.set(registryId, namespace);
    imports[name] = registryId;
  }
  system.addImportMap({ imports });
}
