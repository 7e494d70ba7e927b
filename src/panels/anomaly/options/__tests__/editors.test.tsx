import React, { useState } from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import type { StandardEditorProps } from '@grafana/data';
import { testIds } from '../../testIds';
import type { TrainingRangeOptions } from '../../types';
import { ContaminationEditor } from '../ContaminationEditor';
import { DEFAULT_OPTIONS } from '../defaults';
import { MaxSamplesEditor } from '../MaxSamplesEditor';
import { TrainingRangeEditor } from '../TrainingRangeEditor';

// The app's configured "Default contamination for new panels", not the editor's built-in 0.01.
const APP_DEFAULT = 0.05;
// The app's settings as Grafana's plugin settings API answers them (read once per page by appDefaults.ts).
jest.mock('@grafana/runtime', () => ({
  getBackendSrv: () => ({
    fetch: () => jest.requireActual('rxjs').of({ data: { jsonData: { defaultContamination: 0.05 } } }),
  }),
}));

/** An editor as the options pane holds it: the value saved is the value shown next; every save is recorded. */
function harness<T>(Editor: React.ComponentType<StandardEditorProps<T>>, initial: T) {
  const saved: T[] = [];
  function Host() {
    const [value, setValue] = useState<T>(initial);
    const props = {
      value,
      onChange: (next?: T) => {
        saved.push(next as T);
        setValue(next as T);
      },
    } as unknown as StandardEditorProps<T>;
    return <Editor {...props} />;
  }
  render(<Host />);
  return saved;
}

/** Lets the app default's promise settle. */
const settle = () => act(async () => {});

function autoSwitch(): HTMLInputElement {
  const el = screen.getByTestId(testIds.options.contaminationAuto);
  return (el instanceof HTMLInputElement ? el : el.querySelector('input'))!;
}

function type(input: HTMLElement, text: string, commit: 'blur' | 'Enter') {
  fireEvent.change(input, { target: { value: text } });
  if (commit === 'Enter') {
    fireEvent.keyDown(input, { key: 'Enter' });
  } else {
    fireEvent.blur(input);
  }
}

describe('contamination editor', () => {
  it('auto off on a panel saved with auto goes to the app default contamination, not the built-in 0.01', async () => {
    const saved = harness<'auto' | number | undefined>(ContaminationEditor, 'auto');
    await settle();
    fireEvent.click(autoSwitch());
    await settle();
    expect(saved).toEqual([APP_DEFAULT]);
    expect(screen.getByTestId(testIds.options.contamination)).toHaveValue(APP_DEFAULT);
  });

  it('auto off before the app settings are read waits for them, then takes their default', async () => {
    const saved = harness<'auto' | number | undefined>(ContaminationEditor, 'auto');
    fireEvent.click(autoSwitch());
    await settle();
    expect(saved).toEqual([APP_DEFAULT]);
  });

  it('auto on then off goes back to the number the panel held before auto', async () => {
    const saved = harness<'auto' | number | undefined>(ContaminationEditor, 0.2);
    await settle();
    fireEvent.click(autoSwitch());
    fireEvent.click(autoSwitch());
    await settle();
    expect(saved).toEqual(['auto', 0.2]);
    expect(screen.getByTestId(testIds.options.contamination)).toHaveValue(0.2);
  });

  it('a new panel (no contamination yet) shows the app default', async () => {
    harness<'auto' | number | undefined>(ContaminationEditor, undefined);
    await settle();
    expect(screen.getByTestId(testIds.options.contamination)).toHaveValue(APP_DEFAULT);
  });

  it('Enter commits what was typed, clamped, and the field shows what the option then holds', async () => {
    const saved = harness<'auto' | number | undefined>(ContaminationEditor, 0.05);
    await settle();
    const input = screen.getByTestId(testIds.options.contamination);
    type(input, '0.07', 'Enter');
    expect(saved).toEqual([0.07]);
    expect(input).toHaveValue(0.07);
    type(input, '0', 'Enter');
    expect(saved).toEqual([0.07, 0.001]);
    expect(input).toHaveValue(0.001);
    // The blur after an Enter commits nothing more.
    fireEvent.blur(input);
    expect(saved).toEqual([0.07, 0.001]);
  });
});

describe('max samples editor', () => {
  it.each(['0', '12.5', 'abc', '-3'])('"%s" is refused: the option stays auto and the field shows it again', (text) => {
    const saved = harness<'auto' | number>(MaxSamplesEditor, 'auto');
    const input = screen.getByTestId(testIds.options.maxSamples);
    type(input, text, 'blur');
    expect(saved.every((v) => v === 'auto')).toBe(true);
    expect(input).toHaveValue('');
  });

  it('a positive integer is committed on Enter; a refused value then snaps back to it; empty is auto', () => {
    const saved = harness<'auto' | number>(MaxSamplesEditor, 'auto');
    const input = screen.getByTestId(testIds.options.maxSamples);
    type(input, '128', 'Enter');
    expect(saved).toEqual([128]);
    expect(input).toHaveValue('128');
    type(input, '12.5', 'blur');
    expect(saved).toEqual([128]);
    expect(input).toHaveValue('128');
    type(input, '', 'Enter');
    expect(saved).toEqual([128, 'auto']);
    expect(input).toHaveValue('');
  });
});

describe('previous days editor', () => {
  const previous: TrainingRangeOptions = { ...DEFAULT_OPTIONS.training, kind: 'previous', previousDays: 7 };

  it.each(['0', '-3'])('"%s" is refused: the option stays 7 and the field shows 7 again', (text) => {
    const saved = harness<TrainingRangeOptions>(TrainingRangeEditor, previous);
    const input = screen.getByTestId(testIds.options.trainingPreviousDays);
    type(input, text, 'blur');
    expect(saved.every((v) => v.previousDays === 7)).toBe(true);
    expect(input).toHaveValue(7);
  });

  it('Enter commits a positive number of days, and the field shows it', () => {
    const saved = harness<TrainingRangeOptions>(TrainingRangeEditor, previous);
    const input = screen.getByTestId(testIds.options.trainingPreviousDays);
    type(input, '3', 'Enter');
    expect(saved.map((v) => v.previousDays)).toEqual([3]);
    expect(input).toHaveValue(3);
    type(input, '-1', 'blur');
    expect(saved.map((v) => v.previousDays)).toEqual([3]);
    expect(input).toHaveValue(3);
  });
});
