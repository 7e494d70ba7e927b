import React from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { Input } from '@grafana/ui';
import { testIds } from '../testIds';
import { useCommittedText } from './committedText';
import { parseMaxSamplesInput } from './defaults';

/**
 * Empty or "auto" = min(256, rows); otherwise a positive whole number of rows per tree. Committed on blur and on
 * Enter; anything else typed (0, 12.5, abc) is refused and the field shows the value the option holds again.
 */
export function MaxSamplesEditor({ value, onChange }: StandardEditorProps<'auto' | number>) {
  const held = typeof value === 'number' ? value : 'auto';
  const input = useCommittedText(held === 'auto' ? '' : String(held), (text) => {
    const next = parseMaxSamplesInput(text, held);
    if (next !== held) {
      onChange(next);
    }
  });
  return (
    <Input width={12} placeholder="auto" {...input} data-testid={testIds.options.maxSamples} aria-label="Max samples" />
  );
}
