import { FieldConfigProperty, PanelPlugin } from '@grafana/data';
import { commonOptionsBuilder } from '@grafana/ui';
import { AnomalyPanel } from './components/AnomalyPanel';
import { migrateOptions, needsMigration } from './options/migration';
import { addPanelOptions } from './options/panelOptions';
import type { AnomalyOptions } from './types';

export const plugin = new PanelPlugin<AnomalyOptions>(AnomalyPanel)
  // Standard options (unit, decimals, min/max, color, thresholds…) keep working on the series.
  .useFieldConfig({
    standardOptions: { [FieldConfigProperty.Color]: { defaultValue: { mode: 'palette-classic' } } },
    // "Hide in area", which the legend's series toggles write as an override (saved with the dashboard).
    useCustomConfig: (builder) => commonOptionsBuilder.addHideFrom(builder),
  })
  .setPanelOptions(addPanelOptions)
  .setMigrationHandler(migrateOptions, needsMigration);
