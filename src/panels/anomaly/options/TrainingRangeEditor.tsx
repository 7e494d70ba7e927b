import React, { useState } from 'react';
import { type StandardEditorProps, dateTimeForTimeZone } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import type { TimeZone } from '@grafana/schema';
import { DateTimePicker, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { suggestedFixedRange, withTrainingKind } from '../model/trainingRange';
import { testIds } from '../testIds';
import type { TrainingRangeKind, TrainingRangeOptions } from '../types';
import { useCommittedText } from './committedText';
import { parsePreviousDaysInput, withDefaults } from './defaults';

const KINDS: Array<{ value: TrainingRangeKind; label: string; description: string }> = [
  { value: 'visible', label: 'Visible range', description: 'Train on the data the panel shows' },
  { value: 'previous', label: 'Previous days', description: 'Train on a baseline right before the visible range' },
  { value: 'absolute', label: 'Fixed range', description: 'Train on an absolute time range' },
];

/**
 * Where the models learn "normal": the visible range, the N days before it, or a fixed absolute range. The days are
 * committed on blur and on Enter; 0, a negative or a non-numeric entry is refused and the field shows the days the
 * option holds again.
 */
export function TrainingRangeEditor({ value, onChange }: StandardEditorProps<TrainingRangeOptions>) {
  // As the panel reads it (a malformed saved value shows as what the panel uses).
  const current = withDefaults({ training: value }).training;
  const days = useCommittedText(String(current.previousDays), (text) => {
    const next = parsePreviousDaysInput(text, current.previousDays);
    if (next !== current.previousDays) {
      onChange({ ...current, previousDays: next });
    }
  });
  // Suggested absolute range when none is set yet: the week up to when the editor opened.
  const [now] = useState(() => Date.now());
  const suggested = suggestedFixedRange(now);
  // Times are shown and picked in the dashboard's time zone, as its axes and time picker show them.
  const [timeZone] = useState(dashboardTimeZone);
  return (
    <Stack direction="column" gap={1}>
      <div data-testid={testIds.options.trainingKind}>
        <RadioButtonGroup
          options={KINDS}
          value={current.kind}
          onChange={(kind) => onChange(withTrainingKind(current, kind, now))}
        />
      </div>
      {current.kind === 'previous' && (
        <Input
          type="number"
          width={12}
          min={0.1}
          step={1}
          suffix="days"
          {...days}
          data-testid={testIds.options.trainingPreviousDays}
          aria-label="Baseline days"
        />
      )}
      {current.kind === 'absolute' && (
        <>
          <div data-testid={testIds.options.trainingFrom}>
            <DateTimePicker
              label="From"
              timeZone={timeZone}
              date={dateTimeForTimeZone(timeZone, current.from ?? suggested.from)}
              onChange={(date) => date && onChange({ ...current, from: date.valueOf() })}
            />
          </div>
          <div data-testid={testIds.options.trainingTo}>
            <DateTimePicker
              label="To"
              timeZone={timeZone}
              date={dateTimeForTimeZone(timeZone, current.to ?? suggested.to)}
              onChange={(date) => date && onChange({ ...current, to: date.valueOf() })}
            />
          </div>
        </>
      )}
    </Stack>
  );
}

/**
 * The dashboard's time zone ($__timezone: Grafana's scenes resolve it for the dashboard, "browser" to the browser's
 * zone), or undefined, the browser's, where there is none to read (no template service, or it leaves the macro).
 */
function dashboardTimeZone(): TimeZone | undefined {
  try {
    const zone = getTemplateSrv().replace('$__timezone');
    return zone && !zone.includes('$') ? zone : undefined;
  } catch {
    return undefined;
  }
}
