import { useEffect, useState } from 'react';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { APP_PLUGIN_ID, resolveAppSettings } from '../../../components/AppConfig/appSettings';

let defaultContamination: Promise<number> | undefined;

/**
 * The app's "Default contamination for new panels" (its config page, plugin jsonData), read once per page from
 * Grafana's plugin settings API; the app's default (0.01) when it cannot be read.
 */
export function appDefaultContamination(): Promise<number> {
  const fallback = () => resolveAppSettings(undefined).defaultContamination;
  try {
    defaultContamination ??= lastValueFrom(
      getBackendSrv().fetch<{ jsonData?: Record<string, unknown> }>({
        url: `/api/plugins/${APP_PLUGIN_ID}/settings`,
        showErrorAlert: false,
      })
    ).then((response) => resolveAppSettings(response.data?.jsonData).defaultContamination, fallback);
  } catch {
    // No backendSrv (a host that renders the panel outside Grafana, a test): the app's default, and no crash.
    defaultContamination = Promise.resolve(fallback());
  }
  return defaultContamination;
}

/**
 * The app's default contamination in a component: undefined until read, and while not `needed` (a component that
 * holds a number of its own costs Grafana no settings request).
 */
export function useAppDefaultContamination(needed: boolean): number | undefined {
  const [contamination, setContamination] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (!needed) {
      return;
    }
    let live = true;
    void appDefaultContamination().then((value) => {
      if (live) {
        setContamination(value);
      }
    });
    return () => {
      live = false;
    };
  }, [needed]);
  return contamination;
}
