import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat, formattedValueToString } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { DrawnRef } from '../render/chartFrames';
import { testIds } from '../testIds';
import type { Explanation } from '../worker/messages';

/** Series listed in the tooltip at most (anomalous ones first): a tooltip of 50 series would not fit the panel. */
export const TOOLTIP_MAX_SERIES = 6;

interface Props {
  /** The hovered slot of the pixel grid and its column's time (shown unless the slot holds an anomaly). */
  slot: number;
  time: number;
  timeZone: string;
  drawn: DrawnRef[];
  /** Score of each model at the slot, by model key. */
  scoreOf(ref: DrawnRef): number | undefined;
  formatValue(ref: DrawnRef, value: number): string;
  /** Asks the scorer for the features behind one anomaly (computed on hover, not up front). */
  explain(ref: DrawnRef, time: number): Promise<Explanation | null>;
  maxWidth: number;
}

/** Hover content: per series its value and anomaly score, and for anomalies the features that drove them. */
export function AnomalyTooltip({ slot, time, timeZone, drawn, scoreOf, formatValue, explain, maxWidth }: Props) {
  const s = useStyles2(getStyles);
  const anomalous = drawn.filter((d) => !Number.isNaN(d.drawn.marks[slot]));
  const rest = drawn.filter((d) => Number.isNaN(d.drawn.marks[slot]) && !Number.isNaN(d.drawn.line[slot]));
  const shown = [...anomalous, ...rest].slice(0, TOOLTIP_MAX_SERIES);
  const hidden = anomalous.length + rest.length - shown.length;
  const headerTime = anomalous.length > 0 ? anomalous[0].drawn.markTimes[slot] : time;
  return (
    <div className={s.root} style={{ maxWidth }} data-testid={testIds.panel.tooltip}>
      {/* An anomaly's own time, not its pixel column's (a time that may not be in the data at all). */}
      <div className={s.time} data-testid={testIds.panel.tooltipTime}>
        {dateTimeFormat(headerTime, { timeZone })}
      </div>
      {shown.map((d) => {
        const markTime = d.drawn.markTimes[slot];
        const isAnomaly = !Number.isNaN(d.drawn.marks[slot]);
        const value = isAnomaly ? d.drawn.marks[slot] : d.drawn.line[slot];
        const score = scoreOf(d);
        return (
          <div key={d.ref.id} className={s.series}>
            <div className={s.row}>
              <span className={s.name}>{d.ref.name}</span>
              <strong>{formatValue(d, value)}</strong>
            </div>
            {score !== undefined && !Number.isNaN(score) && (
              <div className={s.row}>
                <span className={s.weak}>anomaly score</span>
                <span className={isAnomaly ? s.anomaly : undefined}>
                  {score.toFixed(3)} {isAnomaly ? '(anomaly)' : ''}
                </span>
              </div>
            )}
            {isAnomaly && markTime !== headerTime && (
              // Another series' anomaly in the same pixel column, at a time of its own.
              <div className={s.row} data-testid={testIds.panel.tooltipAnomalyTime}>
                <span className={s.weak}>at</span>
                <span>{dateTimeFormat(markTime, { timeZone })}</span>
              </div>
            )}
            {isAnomaly && <Contributions drawn={d} time={markTime} explain={explain} />}
          </div>
        );
      })}
      {hidden > 0 && <div className={s.weak}>+{hidden} more series</div>}
    </div>
  );
}

function Contributions({ drawn, time, explain }: { drawn: DrawnRef; time: number; explain: Props['explain'] }) {
  const s = useStyles2(getStyles);
  // The answer is kept with what it answers, so a hover elsewhere never shows the previous point's features.
  const [answer, setAnswer] = useState<{ drawn: DrawnRef; time: number; explanation: Explanation | null }>();
  useEffect(() => {
    let current = true;
    explain(drawn, time).then(
      (explanation) => current && setAnswer({ drawn, time, explanation }),
      () => current && setAnswer({ drawn, time, explanation: null })
    );
    return () => {
      current = false;
    };
  }, [drawn, time, explain]);
  const explanation = answer && answer.drawn === drawn && answer.time === time ? answer.explanation : null;
  if (!explanation) {
    return null;
  }
  return (
    <>
      {explanation.contributions.map((c, i) => (
        <div key={c.name} className={s.contribution} data-testid={testIds.panel.tooltipContribution}>
          {i === 0 ? `${c.name} drove this` : c.name} ({Math.round(c.weight * 100)}%)
        </div>
      ))}
    </>
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
  root: css({
    padding: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
    minWidth: 180,
    overflow: 'hidden',
    overflowWrap: 'anywhere',
  }),
  time: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  series: css({ marginBottom: theme.spacing(0.5) }),
  row: css({ display: 'flex', justifyContent: 'space-between', gap: theme.spacing(2) }),
  name: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  weak: css({ color: theme.colors.text.secondary }),
  anomaly: css({ color: theme.colors.error.text, fontWeight: theme.typography.fontWeightMedium }),
  contribution: css({ color: theme.colors.text.secondary, paddingLeft: theme.spacing(1) }),
});
