import React, { useState } from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { InlineSwitch, Input, Stack, Text } from '@grafana/ui';
import { testIds } from '../testIds';
import {
  CONTAMINATION_MAX,
  CONTAMINATION_MIN,
  DEFAULT_OPTIONS,
  normaliseContamination,
  parseContaminationInput,
} from './defaults';

/**
 * 'auto' (scikit-learn's fixed score threshold of 0.5) or the expected share of anomalies, clamped into 0.001–0.5.
 * The field always shows the value the option holds: 0 becomes 0.001, a cleared field goes back to the current value.
 */
export function ContaminationEditor({ value, onChange }: StandardEditorProps<'auto' | number | undefined>) {
  const held = value === undefined ? DEFAULT_OPTIONS.contamination : normaliseContamination(value);
  const isAuto = held === 'auto';
  const current = isAuto ? (DEFAULT_OPTIONS.contamination as number) : held;
  // The text being typed, for the value it was typed over; a new value from outside shows that value.
  const [draft, setDraft] = useState<{ over: number; text: string } | undefined>(undefined);
  const text = draft && draft.over === current ? draft.text : String(current);
  return (
    <Stack direction="column" gap={0.5}>
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
            value={text}
            data-testid={testIds.options.contamination}
            aria-label="Contamination"
            onChange={(e) => setDraft({ over: current, text: e.currentTarget.value })}
            onBlur={(e) => {
              const next = parseContaminationInput(e.currentTarget.value, current);
              setDraft(undefined);
              if (next !== current) {
                onChange(next);
              }
            }}
          />
        )}
      </Stack>
      {isAuto && (
        <div data-testid={testIds.options.contaminationAutoHelp}>
          <Text variant="bodySmall" color="secondary">
            auto flags every point scoring above 0.5, scikit-learn&apos;s fixed threshold, whatever the share: on real
            telemetry that is often a quarter of the points or more. The panel warns when auto flags more than 5 %.
          </Text>
        </div>
      )}
    </Stack>
  );
}
