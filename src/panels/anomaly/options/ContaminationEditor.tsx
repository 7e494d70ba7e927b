import React, { useRef, useState } from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { readContamination } from '@telemetry-analyzer/engine';
import { InlineSwitch, Input, Stack, Text } from '@grafana/ui';
import { testIds } from '../testIds';
import { appDefaultContamination, useAppDefaultContamination } from './appDefaults';
import { useCommittedText } from './committedText';
import { DEFAULT_OPTIONS, savedContamination } from './defaults';

/**
 * 'auto' (scikit-learn's fixed score threshold of 0.5) or the expected share of anomalies, in (0, 0.5].
 * The field always shows the value the option holds: typed values are committed on blur and on Enter when they are
 * such a share (a decimal comma read as a point), read as the CLI reads --contamination (the engine's
 * readContamination); anything else (5, 5 %, 0) is refused with the reason under the field, and the option keeps its
 * value. A cleared field goes back to the current value. Switching auto off goes back to the number the panel held before
 * auto was switched on in this editor, or else to the app's default contamination (as a new panel gets it), not to
 * the built-in 0.01.
 */
export function ContaminationEditor({ value, onChange }: StandardEditorProps<'auto' | number | undefined>) {
  // Read only where it may be needed (no number held: a new panel's, or auto's to switch back to): a panel with its
  // own number costs Grafana no settings request.
  // A saved value that is no contamination (0, null, "AUTO") shows the app's default, as the panel uses it.
  const saved = savedContamination(value);
  const appDefault = useAppDefaultContamination(saved === undefined || saved === 'auto')?.contamination;
  const held = saved ?? appDefault ?? DEFAULT_OPTIONS.contamination;
  const isAuto = held === 'auto';
  const current = isAuto ? (appDefault ?? (DEFAULT_OPTIONS.contamination as number)) : held;
  // The number held when auto was switched on; and a count of switches, so that of several switches made while the
  // app's settings were read only the last one is applied.
  const beforeAuto = useRef<number | undefined>(undefined);
  const switches = useRef(0);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const input = useCommittedText(String(current), (text) => {
    const read = text.trim() === '' ? { value: current } : readContamination(text);
    if ('problem' in read) {
      // "auto" is the switch's (a browser review: typed here, it was refused as any other word).
      setProblem(
        text.trim().toLowerCase() === 'auto'
          ? 'Not changed: for auto, turn on the auto switch beside this field.'
          : `Not changed: contamination is ${read.problem}.`
      );
      return;
    }
    setProblem(undefined);
    if (read.value !== current) {
      onChange(read.value);
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
            type="text"
            inputMode="decimal"
            width={12}
            invalid={problem !== undefined}
            {...input}
            data-testid={testIds.options.contamination}
            aria-label="Contamination"
          />
        )}
      </Stack>
      {!isAuto && problem !== undefined && (
        <div data-testid={testIds.options.contaminationProblem} role="alert">
          <Text variant="bodySmall" color="error">
            {problem}
          </Text>
        </div>
      )}
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
