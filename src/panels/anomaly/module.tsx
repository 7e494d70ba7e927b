import { FieldConfigProperty, PanelPlugin } from '@grafana/data';
import { AnomalyPanel } from './components/AnomalyPanel';
import { migrateOptions, needsMigration } from './options/migration';
import { addPanelOptions } from './options/panelOptions';
import type { AnomalyOptions } from './types';

export const plugin = new PanelPlugin<AnomalyOptions>(AnomalyPanel)
  // Standard options (unit, decimals, min/max, color, thresholds…) keep working on the series.
  .useFieldConfig({ standardOptions: { [FieldConfigProperty.Color]: { defaultValue: { mode: 'palette-classic' } } } })
  .setPanelOptions(addPanelOptions)
  .setMigrationHandler(migrateOptions, needsMigration);
