import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat, formattedValueToString } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { SeriesMarks } from '../render/seriesMarks';
import { testIds } from '../testIds';

interface Props {
  time: number;
  timeZone: string;
  marks: SeriesMarks[];
  /** Value of each series at this time, by series name. */
  valueOf(marks: SeriesMarks): number | undefined;
  formatValue(marks: SeriesMarks, value: number): string;
}

/** Hover content: per series its value and anomaly score, and for anomalies the features that drove them. */
export function AnomalyTooltip({ time, timeZone, marks, valueOf, formatValue }: Props) {
  const s = useStyles2(getStyles);
  return (
    <div className={s.root} data-testid={testIds.panel.tooltip}>
      <div className={s.time}>{dateTimeFormat(time, { timeZone })}</div>
      {marks.map((m) => {
        const value = valueOf(m);
        const score = m.scoreAt.get(time);
        const explanation = m.explanationAt.get(time);
        const anomalous = m.markedTimes.has(time);
        return (
          <div key={m.ref.id} className={s.series}>
            <div className={s.row}>
              <span>{m.ref.name}</span>
              <strong>{value === undefined ? '–' : formatValue(m, value)}</strong>
            </div>
            {score !== undefined && (
              <div className={s.row}>
                <span className={s.weak}>anomaly score</span>
                <span className={anomalous ? s.anomaly : undefined}>
                  {score.toFixed(3)} {anomalous ? '(anomaly)' : ''}
                </span>
              </div>
            )}
            {anomalous &&
              explanation?.contributions.map((c, i) => (
                <div key={c.name} className={s.contribution} data-testid={testIds.panel.tooltipContribution}>
                  {i === 0 ? `${c.name} drove this` : c.name} ({Math.round(c.weight * 100)}%)
                </div>
              ))}
          </div>
        );
      })}
    </div>
  );
}

/** Formats a value with the field's own display processor (unit, decimals). */
export function formatWith(
  display: ((v: unknown) => Parameters<typeof formattedValueToString>[0]) | undefined,
  value: number
) {
  return display ? formattedValueToString(display(value)) : String(value);
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ padding: theme.spacing(1), fontSize: theme.typography.bodySmall.fontSize, minWidth: 220 }),
  time: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  series: css({ marginBottom: theme.spacing(0.5) }),
  row: css({ display: 'flex', justifyContent: 'space-between', gap: theme.spacing(2) }),
  weak: css({ color: theme.colors.text.secondary }),
  anomaly: css({ color: theme.colors.error.text, fontWeight: theme.typography.fontWeightMedium }),
  contribution: css({ color: theme.colors.text.secondary, paddingLeft: theme.spacing(1) }),
});
