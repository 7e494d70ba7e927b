import React from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { InlineSwitch, Input, Stack } from '@grafana/ui';
import { testIds } from '../testIds';
import { CONTAMINATION_MAX, CONTAMINATION_MIN, DEFAULT_OPTIONS, normaliseContamination } from './defaults';

/** 'auto' (a score threshold of 0.5) or the expected share of anomalies, 0.001–0.5. */
export function ContaminationEditor({ value, onChange }: StandardEditorProps<'auto' | number>) {
  const isAuto = value === 'auto';
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <InlineSwitch
        label="auto"
        showLabel
        value={isAuto}
        data-testid={testIds.options.contaminationAuto}
        onChange={(e) => onChange(e.currentTarget.checked ? 'auto' : DEFAULT_OPTIONS.contamination)}
      />
      {!isAuto && (
        <Input
          type="number"
          width={12}
          min={CONTAMINATION_MIN}
          max={CONTAMINATION_MAX}
          step={0.001}
          defaultValue={String(value ?? DEFAULT_OPTIONS.contamination)}
          key={String(value)}
          data-testid={testIds.options.contamination}
          aria-label="Contamination"
          onBlur={(e) => onChange(normaliseContamination(e.currentTarget.value))}
        />
      )}
    </Stack>
  );
}
