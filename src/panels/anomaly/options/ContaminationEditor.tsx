import React, { useRef } from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { InlineSwitch, Input, Stack, Text } from '@grafana/ui';
import { testIds } from '../testIds';
import { appDefaultContamination, useAppDefaultContamination } from './appDefaults';
import { useCommittedText } from './committedText';
import {
  CONTAMINATION_MAX,
  CONTAMINATION_MIN,
  DEFAULT_OPTIONS,
  normaliseContamination,
  parseContaminationInput,
} from './defaults';

/**
 * 'auto' (scikit-learn's fixed score threshold of 0.5) or the expected share of anomalies, in (0, 0.5].
 * The field always shows the value the option holds: typed values are committed on blur and on Enter, 0 becomes 0.001,
 * a cleared field goes back to the current value. Switching auto off goes back to the number the panel held before
 * auto was switched on in this editor, or else to the app's default contamination (as a new panel gets it), not to
 * the built-in 0.01.
 */
export function ContaminationEditor({ value, onChange }: StandardEditorProps<'auto' | number | undefined>) {
  // Read only where it may be needed (no number held: a new panel's, or auto's to switch back to): a panel with its
  // own number costs Grafana no settings request.
  const appDefault = useAppDefaultContamination(value === undefined || value === 'auto');
  const held = value === undefined ? (appDefault ?? DEFAULT_OPTIONS.contamination) : normaliseContamination(value);
  const isAuto = held === 'auto';
  const current = isAuto ? (appDefault ?? (DEFAULT_OPTIONS.contamination as number)) : held;
  // The number held when auto was switched on; and a count of switches, so that of several switches made while the
  // app's settings were read only the last one is applied.
  const beforeAuto = useRef<number | undefined>(undefined);
  const switches = useRef(0);
  const input = useCommittedText(String(current), (text) => {
    const next = parseContaminationInput(text, current);
    if (next !== current) {
      onChange(next);
    }
  });
  const onSwitch = (auto: boolean) => {
    const mine = ++switches.current;
    if (auto) {
      beforeAuto.current = current;
      onChange('auto');
      return;
    }
    const back = beforeAuto.current ?? appDefault;
    if (back !== undefined) {
      onChange(back);
      return;
    }
    // The app's settings are not read yet (the editor opened a moment ago): they are read once per page.
    void appDefaultContamination().then((contamination) => {
      if (mine === switches.current) {
        onChange(contamination);
      }
    });
  };
  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" alignItems="center" gap={1}>
        <InlineSwitch
          label="auto"
          showLabel
          value={isAuto}
          data-testid={testIds.options.contaminationAuto}
          onChange={(e) => onSwitch(e.currentTarget.checked)}
        />
        {!isAuto && (
          <Input
            type="number"
            width={12}
            min={CONTAMINATION_MIN}
            max={CONTAMINATION_MAX}
            step={0.001}
            {...input}
            data-testid={testIds.options.contamination}
            aria-label="Contamination"
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
