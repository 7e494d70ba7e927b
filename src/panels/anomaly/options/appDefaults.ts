import { useEffect, useState } from 'react';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { APP_PLUGIN_ID, resolveAppSettings } from '../../../components/AppConfig/appSettings';

/** The app's default contamination as read, and why it could not be read (the built-in default is used then). */
export interface AppDefaultContamination {
  contamination: number;
  /** Set when the app's settings could not be read (a 401 on a public dashboard, no plugins.app:access, …). */
  unreadable?: string;
}

let defaultContamination: Promise<AppDefaultContamination> | undefined;

/**
 * The app's "Default contamination for new panels" (its config page, plugin jsonData), read once per page from
 * Grafana's plugin settings API; the built-in default (0.01), with why, when it cannot be read.
 */
export function readAppDefaultContamination(): Promise<AppDefaultContamination> {
  const builtIn = resolveAppSettings(undefined).defaultContamination;
  try {
    defaultContamination ??= lastValueFrom(
      getBackendSrv().fetch<{ jsonData?: Record<string, unknown> }>({
        url: `/api/plugins/${APP_PLUGIN_ID}/settings`,
        showErrorAlert: false,
      })
    ).then(
      (response) => ({ contamination: resolveAppSettings(response.data?.jsonData).defaultContamination }),
      (error: unknown) => ({ contamination: builtIn, unreadable: refusalText(error) })
    );
  } catch (error) {
    // No backendSrv (a host that renders the panel outside Grafana): the built-in default, and no crash.
    defaultContamination = Promise.resolve({ contamination: builtIn, unreadable: refusalText(error) });
  }
  return defaultContamination;
}

/** The app's default contamination, or the built-in one where it cannot be read. */
export function appDefaultContamination(): Promise<number> {
  return readAppDefaultContamination().then((read) => read.contamination);
}

/** Forgets what was read, so that the next reader asks Grafana again (tests: one page per test). */
export function forgetAppDefaultContamination() {
  defaultContamination = undefined;
}

function refusalText(error: unknown): string {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status > 0 ? `HTTP ${status}` : 'no answer';
}

/**
 * The app's default contamination in a component: undefined until read, and while not `needed` (a component that
 * holds a number of its own costs Grafana no settings request).
 */
export function useAppDefaultContamination(needed: boolean): AppDefaultContamination | undefined {
  const [read, setRead] = useState<AppDefaultContamination | undefined>(undefined);
  useEffect(() => {
    if (!needed) {
      return;
    }
    let live = true;
    void readAppDefaultContamination().then((value) => {
      if (live) {
        setRead(value);
      }
    });
    return () => {
      live = false;
    };
  }, [needed]);
  return read;
}
