/**
 * Grafana core fills @grafana/data's `standardEditorsRegistry` at start-up (public/app/core/components/OptionsUI);
 * the panel options builder (`addNumberInput`, `addSliderInput`, `addSelect`, ...) looks its editors up there. That
 * code is not in any npm package, so the host provides equivalents built from @grafana/ui controls, keeping Grafana's
 * commit behaviour (number and text commit on blur or Enter, the slider when the drag or its input ends).
 */
import React, { useEffect, useState } from 'react';
import {
  type SelectableValue,
  type StandardEditorProps,
  type StandardEditorsRegistryItem,
  standardEditorsRegistry,
} from '@grafana/data';
import { ColorPicker, Input, RadioButtonGroup, Select, Slider, Switch } from '@grafana/ui';

interface NumberSettings {
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  integer?: boolean;
}

function NumberEditor({ value, onChange, item, id }: StandardEditorProps<number | undefined, NumberSettings>) {
  const settings = item.settings ?? {};
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => setText(value === undefined ? '' : String(value)), [value]);
  const commit = () => {
    const parsed = text.trim() === '' ? undefined : Number(text);
    if (parsed === undefined || Number.isFinite(parsed)) {
      onChange(parsed !== undefined && settings.integer ? Math.round(parsed) : parsed);
    }
  };
  return (
    <Input
      id={id}
      type="number"
      value={text}
      min={settings.min}
      max={settings.max}
      step={settings.step ?? 'any'}
      placeholder={settings.placeholder}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
    />
  );
}

function SliderEditor({ value, onChange, item, id }: StandardEditorProps<number, NumberSettings>) {
  const { min = 0, max = 100, step } = item.settings ?? {};
  return (
    <Slider
      inputId={id ?? item.id}
      min={min}
      max={max}
      step={step}
      value={value ?? min}
      onAfterChange={(committed) => committed !== undefined && onChange(committed)}
    />
  );
}

function TextEditor({ value, onChange, item, id }: StandardEditorProps<string | undefined, { placeholder?: string }>) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  return (
    <Input
      id={id}
      value={text}
      placeholder={item.settings?.placeholder}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={() => onChange(text)}
      onKeyDown={(event) => event.key === 'Enter' && onChange(text)}
    />
  );
}

function BooleanEditor({ value, onChange, id }: StandardEditorProps<boolean>) {
  return <Switch id={id} value={Boolean(value)} onChange={(event) => onChange(event.currentTarget.checked)} />;
}

interface ChoiceSettings {
  options?: Array<SelectableValue<unknown>>;
}

function RadioEditor({ value, onChange, item }: StandardEditorProps<unknown, ChoiceSettings>) {
  return <RadioButtonGroup options={item.settings?.options ?? []} value={value} onChange={(next) => onChange(next)} />;
}

function SelectEditor({ value, onChange, item, id }: StandardEditorProps<unknown, ChoiceSettings>) {
  return (
    <Select
      inputId={id}
      options={item.settings?.options ?? []}
      value={value}
      onChange={(selected: SelectableValue<unknown>) => onChange(selected?.value)}
    />
  );
}

function ColorEditor({ value, onChange }: StandardEditorProps<string>) {
  return <ColorPicker color={value ?? 'red'} onChange={onChange} />;
}

const editors: StandardEditorsRegistryItem[] = [
  { id: 'number', name: 'Number', editor: NumberEditor },
  { id: 'slider', name: 'Slider', editor: SliderEditor },
  { id: 'text', name: 'Text', editor: TextEditor },
  { id: 'boolean', name: 'Boolean', editor: BooleanEditor },
  { id: 'radio', name: 'Radio', editor: RadioEditor },
  { id: 'select', name: 'Select', editor: SelectEditor },
  { id: 'color', name: 'Color', editor: ColorEditor },
];

export function registerStandardOptionEditors(): void {
  standardEditorsRegistry.setInit(() => editors);
}
