import React, { useState } from 'react';
import { type StandardEditorProps, dateTime } from '@grafana/data';
import { DateTimePicker, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { suggestedFixedRange, withTrainingKind } from '../model/trainingRange';
import { testIds } from '../testIds';
import type { TrainingRangeKind, TrainingRangeOptions } from '../types';
import { DEFAULT_OPTIONS } from './defaults';

const KINDS: Array<{ value: TrainingRangeKind; label: string; description: string }> = [
  { value: 'visible', label: 'Visible range', description: 'Train on the data the panel shows' },
  { value: 'previous', label: 'Previous days', description: 'Train on a baseline right before the visible range' },
  { value: 'absolute', label: 'Fixed range', description: 'Train on an absolute time range' },
];

/** Where the models learn "normal": the visible range, the N days before it, or a fixed absolute range. */
export function TrainingRangeEditor({ value, onChange }: StandardEditorProps<TrainingRangeOptions>) {
  const current = { ...DEFAULT_OPTIONS.training, ...value };
  // Suggested absolute range when none is set yet: the week up to when the editor opened.
  const [now] = useState(() => Date.now());
  const suggested = suggestedFixedRange(now);
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
          defaultValue={String(current.previousDays)}
          key={String(current.previousDays)}
          data-testid={testIds.options.trainingPreviousDays}
          aria-label="Baseline days"
          onBlur={(e) => {
            const days = Number(e.currentTarget.value);
            onChange({
              ...current,
              previousDays: Number.isFinite(days) && days > 0 ? days : DEFAULT_OPTIONS.training.previousDays,
            });
          }}
        />
      )}
      {current.kind === 'absolute' && (
        <>
          <div data-testid={testIds.options.trainingFrom}>
            <DateTimePicker
              label="From"
              date={dateTime(current.from ?? suggested.from)}
              onChange={(date) => date && onChange({ ...current, from: date.valueOf() })}
            />
          </div>
          <div data-testid={testIds.options.trainingTo}>
            <DateTimePicker
              label="To"
              date={dateTime(current.to ?? suggested.to)}
              onChange={(date) => date && onChange({ ...current, to: date.valueOf() })}
            />
          </div>
        </>
      )}
    </Stack>
  );
}
