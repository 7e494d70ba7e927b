import React from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { Input } from '@grafana/ui';
import { testIds } from '../testIds';

/** Empty or "auto" = min(256, rows); otherwise a positive whole number of rows per tree. */
export function MaxSamplesEditor({ value, onChange }: StandardEditorProps<'auto' | number>) {
  return (
    <Input
      width={12}
      placeholder="auto"
      defaultValue={value === 'auto' || value === undefined ? '' : String(value)}
      key={String(value)}
      data-testid={testIds.options.maxSamples}
      aria-label="Max samples"
      onBlur={(e) => {
        const n = Number(e.currentTarget.value.trim());
        onChange(Number.isInteger(n) && n > 0 ? n : 'auto');
      }}
    />
  );
}
