import { LoadingState, type PanelProps, dateTime, getDefaultTimeRange } from '@grafana/data';
import { withDefaults } from '../options/defaults';
import type { AnomalyOptions } from '../types';
import { START, times } from './frames';

/** The props Grafana gives the panel for these frames (the time range theirs), the options completed with defaults. */
export function panelProps(series: PanelProps['data']['series'], options: Partial<AnomalyOptions>, startMs = START) {
  const n = series[0]?.length ?? 1;
  const at = times(n, startMs);
  return {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    options: withDefaults({ trees: 20, ...options }),
    width: 600,
    height: 300,
    timeRange: { from: dateTime(at[0]), to: dateTime(at[n - 1]), raw: { from: 'now-1h', to: 'now' } },
    timeZone: 'utc',
    fieldConfig: { defaults: {}, overrides: [] },
  } as unknown as PanelProps<AnomalyOptions>;
}
