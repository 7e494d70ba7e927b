import React, { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { type StandardEditorProps, dateTime, dateTimeForTimeZone } from '@grafana/data';
import { type TemplateSrv, setTemplateSrv } from '@grafana/runtime';
import { trainingPlan } from '../../model/trainingPlan';
import { testIds } from '../../testIds';
import type { TrainingRangeOptions } from '../../types';
import { DEFAULT_OPTIONS } from '../defaults';
import { TrainingRangeEditor } from '../TrainingRangeEditor';

/** The editor as the options pane holds it: the value saved is the value shown next. */
function Editor({ onSave }: { onSave: (value: TrainingRangeOptions) => void }) {
  const [value, setValue] = useState<TrainingRangeOptions>(DEFAULT_OPTIONS.training);
  const props = {
    value,
    onChange: (next?: TrainingRangeOptions) => {
      setValue(next!);
      onSave(next!);
    },
  } as unknown as StandardEditorProps<TrainingRangeOptions>;
  return <TrainingRangeEditor {...props} />;
}

describe("training range editor on a dashboard in another time zone than the browser's", () => {
  afterEach(() => setTemplateSrv(undefined as unknown as TemplateSrv));

  it("shows and picks the fixed range's times in the dashboard's zone ($__timezone)", () => {
    // A host-contract review: the pickers showed the browser's local time on a UTC or named-zone dashboard.
    setTemplateSrv({
      replace: (text: string) => text.replace('$__timezone', 'Asia/Kolkata'),
    } as unknown as TemplateSrv);
    const saved: TrainingRangeOptions[] = [];
    render(<Editor onSave={(v) => saved.push(v)} />);
    fireEvent.click(within(screen.getByTestId(testIds.options.trainingKind)).getByText('Fixed range'));
    const value = saved[saved.length - 1];
    const shown = within(screen.getByTestId(testIds.options.trainingFrom)).getByRole('textbox');
    expect(shown).toHaveValue(dateTimeForTimeZone('Asia/Kolkata', value.from).format('YYYY-MM-DD HH:mm:ss'));
    // The tests run in UTC: Kolkata's wall clock is 5:30 ahead.
    expect(shown).not.toHaveValue(dateTime(value.from).format('YYYY-MM-DD HH:mm:ss'));
  });
});

describe('training range editor', () => {
  it('choosing "Fixed range" saves the range it shows, and the models train on it', () => {
    const saved: TrainingRangeOptions[] = [];
    render(<Editor onSave={(v) => saved.push(v)} />);
    fireEvent.click(within(screen.getByTestId(testIds.options.trainingKind)).getByText('Fixed range'));

    const value = saved[saved.length - 1];
    expect(value.kind).toBe('absolute');
    expect(typeof value.from).toBe('number');
    expect(typeof value.to).toBe('number');
    // What the pickers show is what was saved.
    const shown = (testId: string) => within(screen.getByTestId(testId)).getByRole('textbox');
    expect(shown(testIds.options.trainingFrom)).toHaveValue(dateTime(value.from).format('YYYY-MM-DD HH:mm:ss'));
    expect(shown(testIds.options.trainingTo)).toHaveValue(dateTime(value.to).format('YYYY-MM-DD HH:mm:ss'));
    // The analysis trains on that range, not on the visible one.
    const visible = { from: dateTime(0), to: dateTime(1), raw: { from: 'now-1h', to: 'now' } };
    const range = trainingPlan(value, {
      scoreStartMs: visible.from.valueOf(),
      online: false,
      stepMs: 0,
      features: { window: 12, lags: 3 },
      nowMs: 0,
    });
    expect([range?.fetch.from, range?.fetch.to]).toEqual([value.from, value.to]);
  });
});
