/**
 * Grafana core also fills @grafana/data's `standardFieldConfigEditorRegistry` (unit, min, max, decimals, display
 * name, color scheme, thresholds, value mappings, no value, links). A panel's `useFieldConfig()` builds its field
 * config registry from it, and applyFieldOverrides uses it to apply defaults such as the panel's color scheme.
 * These items mirror Grafana's ids, paths, processors and defaults; their editors are the host's simple ones,
 * since the tests do not edit field config.
 */
import {
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  FieldColorModeId,
  type FieldConfigPropertyItem,
  FieldType,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  stringOverrideProcessor,
  ThresholdsMode,
  thresholdsOverrideProcessor,
  unitOverrideProcessor,
  valueMappingsOverrideProcessor,
} from '@grafana/data';

const category = ['Standard options'];
const isNumberField = (field: { type: FieldType }) => field.type === FieldType.number;

function items(): FieldConfigPropertyItem[] {
  const text = standardEditorsRegistry.get('text').editor;
  const number = standardEditorsRegistry.get('number').editor;
  const always = () => true;
  return [
    {
      id: 'unit',
      path: 'unit',
      name: 'Unit',
      editor: text,
      override: text,
      process: unitOverrideProcessor,
      settings: { placeholder: 'none', expandTemplateVars: true },
      shouldApply: always,
      category,
    },
    {
      id: 'min',
      path: 'min',
      name: 'Min',
      editor: number,
      override: number,
      process: numberOverrideProcessor,
      settings: { placeholder: 'auto' },
      shouldApply: isNumberField,
      category,
    },
    {
      id: 'max',
      path: 'max',
      name: 'Max',
      editor: number,
      override: number,
      process: numberOverrideProcessor,
      settings: { placeholder: 'auto' },
      shouldApply: isNumberField,
      category,
    },
    {
      id: 'decimals',
      path: 'decimals',
      name: 'Decimals',
      editor: number,
      override: number,
      process: numberOverrideProcessor,
      settings: { placeholder: 'auto', min: 0, max: 15, integer: true },
      shouldApply: always,
      category,
    },
    {
      id: 'displayName',
      path: 'displayName',
      name: 'Display name',
      editor: text,
      override: text,
      process: displayNameOverrideProcessor,
      settings: { placeholder: 'none', expandTemplateVars: true },
      shouldApply: always,
      category,
    },
    {
      id: 'color',
      path: 'color',
      name: 'Color scheme',
      editor: text,
      override: text,
      process: identityOverrideProcessor,
      settings: { byValueSupport: true, preferThresholdsMode: true },
      defaultValue: { mode: FieldColorModeId.Thresholds },
      shouldApply: always,
      category,
    },
    {
      id: 'noValue',
      path: 'noValue',
      name: 'No value',
      editor: text,
      override: text,
      process: stringOverrideProcessor,
      settings: {},
      shouldApply: always,
      category,
    },
    {
      id: 'thresholds',
      path: 'thresholds',
      name: 'Thresholds',
      editor: text,
      override: text,
      process: thresholdsOverrideProcessor,
      settings: {},
      shouldApply: always,
      category: ['Thresholds'],
      defaultValue: {
        mode: ThresholdsMode.Absolute,
        steps: [
          { value: -Infinity, color: 'green' },
          { value: 80, color: 'red' },
        ],
      },
    },
    {
      id: 'mappings',
      path: 'mappings',
      name: 'Value mappings',
      editor: text,
      override: text,
      process: valueMappingsOverrideProcessor,
      settings: {},
      defaultValue: [],
      shouldApply: always,
      category: ['Value mappings'],
    },
    {
      id: 'links',
      path: 'links',
      name: 'Data links',
      editor: text,
      override: text,
      process: dataLinksOverrideProcessor,
      settings: {},
      shouldApply: always,
      category: ['Data links'],
    },
  ];
}

/** Call after registerStandardOptionEditors(): these items reuse its editors. */
export function registerStandardFieldConfigs(): void {
  standardFieldConfigEditorRegistry.setInit(items);
}
