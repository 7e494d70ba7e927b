import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat, formattedValueToString } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { DrawnRef } from '../render/chartFrames';
import { testIds } from '../testIds';
import type { Explanation } from '../worker/messages';

/** The tooltip's width when the panel has room for it (never wider than its maxWidth: a 150 px panel). */
const MIN_WIDTH = 180;

/** Series listed in the tooltip at most (anomalous ones first): a tooltip of 50 series would not fit the panel. */
export const TOOLTIP_MAX_SERIES = 6;

interface Props {
  /** The hovered slot of the pixel grid. */
  slot: number;
  /** The times its pixel column covers, [startMs, endMs): the values shown are the extremes of its points. */
  column: { startMs: number; endMs: number };
  /** The time of a series' one point in the column; undefined when it holds several (or none). */
  loneTime(ref: DrawnRef): number | undefined;
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
export function AnomalyTooltip({
  slot,
  column,
  loneTime,
  timeZone,
  drawn,
  scoreOf,
  formatValue,
  explain,
  maxWidth,
}: Props) {
  const s = useStyles2(getStyles);
  const anomalous = drawn.filter((d) => !Number.isNaN(d.drawn.marks[slot]));
  const rest = drawn.filter((d) => Number.isNaN(d.drawn.marks[slot]) && !Number.isNaN(d.drawn.line[slot]));
  const shown = [...anomalous, ...rest].slice(0, TOOLTIP_MAX_SERIES);
  const hidden = anomalous.length + rest.length - shown.length;
  // Each series' own time here: an anomaly's, or the one point the column holds. Never the pixel's time, which may be
  // in no series (a browser review: 01:00:04 over the point at 01:00). A column of several points shows its span.
  const timeOf = (d: DrawnRef) =>
    Number.isNaN(d.drawn.marks[slot]) ? loneTime(d) : (d.drawn.markTimes[slot] as number | undefined);
  const headerTime = shown.length > 0 ? timeOf(shown[0]) : undefined;
  return (
    <div
      className={s.root}
      style={{ maxWidth, minWidth: Math.min(MIN_WIDTH, maxWidth) }}
      data-testid={testIds.panel.tooltip}
    >
      <div className={s.time} data-testid={testIds.panel.tooltipTime}>
        {headerTime !== undefined ? dateTimeFormat(headerTime, { timeZone }) : spanText(column, timeZone)}
      </div>
      {shown.map((d) => {
        const ownTime = timeOf(d);
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
            {ownTime !== undefined && ownTime !== headerTime && (
              // Another series' point (or anomaly) in the same pixel column, at a time of its own.
              <div className={s.row} data-testid={testIds.panel.tooltipAnomalyTime}>
                <span className={s.weak}>at</span>
                <span>{dateTimeFormat(ownTime, { timeZone })}</span>
              </div>
            )}
            {isAnomaly && <Contributions drawn={d} time={d.drawn.markTimes[slot]} explain={explain} />}
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
          {i === 0 ? `${featureLabel(c.name, drawn)} drove this` : featureLabel(c.name, drawn)} (
          {Math.round(c.weight * 100)}%)
        </div>
      ))}
    </>
  );
}

/**
 * A feature's name as the tooltip shows it under its series: without the series' name when the model is that series
 * alone ("rolling std 12", not a long Prometheus label set before it, which pushed the feature out of the tooltip in a
 * browser review); with it for a model of several series, where it says which one.
 */
export function featureLabel(feature: string, drawn: DrawnRef): string {
  if (drawn.model.series.length > 1) {
    return feature;
  }
  const name = drawn.ref.name;
  if (feature === name) {
    return 'value';
  }
  return feature.startsWith(`${name} (`) && feature.endsWith(')') ? feature.slice(name.length + 2, -1) : feature;
}

/** A pixel column's span: both times in full, or the end's time of day alone on the same day. */
function spanText(column: Props['column'], timeZone: string): string {
  const start = dateTimeFormat(column.startMs, { timeZone });
  const sameDay =
    dateTimeFormat(column.startMs, { timeZone, format: 'YYYY-MM-DD' }) ===
    dateTimeFormat(column.endMs - 1, { timeZone, format: 'YYYY-MM-DD' });
  return `${start} – ${dateTimeFormat(column.endMs - 1, { timeZone, format: sameDay ? 'HH:mm:ss' : undefined })}`;
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
    overflow: 'hidden',
    // Grafana's tooltip wrapper sets white-space: pre, under which nothing wraps (a browser review: explanations cut
    // off at the tooltip's edge).
    whiteSpace: 'normal',
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
