import { PanelOptionsEditorBuilder, PanelPlugin, standardEditorsRegistry } from '@grafana/data';
import type { AnomalyOptions } from '../../types';
import { addPanelOptions } from '../panelOptions';
import { plugin } from '../../module';
import { DEFAULT_OPTIONS, SEED_MAX, parseMaxSamplesInput, parsePreviousDaysInput, withDefaults } from '../defaults';
import { migrateOptions } from '../migration';

// Grafana registers its standard option editors at start-up; the builder only needs their ids here.
standardEditorsRegistry.setInit(() =>
  ['radio', 'number', 'text', 'boolean'].map((id) => ({ id, name: id, editor: () => null }))
);

describe('panel options', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({
      contamination: 0.01,
      trees: 100,
      maxSamples: 'auto',
      seed: 42,
      window: 12,
      lags: 1,
      seasonality: 'auto',
      mode: 'per-series',
      groupByLabel: '',
      training: { kind: 'visible', previousDays: 7 },
      minConsecutive: 1,
      direction: 'both',
      showScorePane: true,
      showRegions: true,
      writeAnnotations: false,
    });
  });

  it('lists contamination first in the editor, and every option with a description and its default', () => {
    const collected = addPanelOptions(new PanelOptionsEditorBuilder<AnomalyOptions>()).getItems();
    expect(collected[0].path).toBe('contamination');
    // Contamination has none: a new panel takes the app's default contamination (AnomalyPanel).
    expect(collected[0].defaultValue).toBeUndefined();
    for (const item of collected.slice(1)) {
      expect(item.description).toBeTruthy();
      expect(item.defaultValue).toEqual(DEFAULT_OPTIONS[item.path as keyof typeof DEFAULT_OPTIONS]);
    }
    expect(collected.map((c) => c.path).sort()).toEqual(Object.keys(DEFAULT_OPTIONS).sort());
  });

  it("the seed editor only takes integers in [0, 4294967295], the engine's range", () => {
    const seed = addPanelOptions(new PanelOptionsEditorBuilder<AnomalyOptions>())
      .getItems()
      .find((item) => item.path === 'seed');
    expect(SEED_MAX).toBe(4294967295);
    // Grafana's number editor clamps what is typed into min/max and floors it when integer.
    expect(seed?.settings).toMatchObject({ min: 0, max: SEED_MAX, integer: true });
  });

  it('a stored seed out of range is clamped into it, one that is no integer falls back to the default', () => {
    expect(withDefaults({ seed: -5 }).seed).toBe(0);
    expect(withDefaults({ seed: -1 }).seed).toBe(0);
    expect(withDefaults({ seed: 4294967296 }).seed).toBe(SEED_MAX);
    expect(withDefaults({ seed: 1e30 }).seed).toBe(SEED_MAX);
    expect(withDefaults({ seed: 0 }).seed).toBe(0);
    expect(withDefaults({ seed: SEED_MAX }).seed).toBe(SEED_MAX);
    expect(withDefaults({ seed: 7 }).seed).toBe(7);
    expect(withDefaults({ seed: 1.5 }).seed).toBe(DEFAULT_OPTIONS.seed);
    expect(withDefaults({ seed: Number.NaN }).seed).toBe(DEFAULT_OPTIONS.seed);
    expect(withDefaults({ seed: Infinity }).seed).toBe(DEFAULT_OPTIONS.seed);
    expect(withDefaults({ seed: 'x' as never }).seed).toBe(DEFAULT_OPTIONS.seed);
  });

  it('max samples typed: empty or auto is auto, a positive integer is taken, anything else keeps the current value', () => {
    expect(parseMaxSamplesInput('', 100)).toBe('auto');
    expect(parseMaxSamplesInput(' Auto ', 100)).toBe('auto');
    expect(parseMaxSamplesInput(' 128 ', 'auto')).toBe(128);
    for (const refused of ['0', '-3', '12.5', 'abc', '1e400']) {
      expect(parseMaxSamplesInput(refused, 'auto')).toBe('auto');
      expect(parseMaxSamplesInput(refused, 100)).toBe(100);
    }
  });

  it('previous days typed: a positive number is taken, anything else keeps the current value', () => {
    expect(parsePreviousDaysInput(' 3 ', 7)).toBe(3);
    expect(parsePreviousDaysInput('0.5', 7)).toBe(0.5);
    for (const refused of ['0', '-3', '', 'abc', 'Infinity']) {
      expect(parsePreviousDaysInput(refused, 7)).toBe(7);
    }
  });

  it('replaces malformed values by defaults and keeps contamination in (0, 0.5], as every host does', () => {
    const o = withDefaults({ contamination: 3, trees: -1, window: 1, direction: 'sideways' as never, lags: 0 });
    expect(o.contamination).toBe(0.5);
    expect(o.trees).toBe(100);
    expect(o.window).toBe(2);
    expect(o.direction).toBe('both');
    expect(o.lags).toBe(0);
    expect(withDefaults({ contamination: 0.00001 }).contamination).toBe(0.00001);
    expect(withDefaults({ contamination: 0 }).contamination).toBe(withDefaults({}).contamination);
    expect(withDefaults({ contamination: 'auto' }).contamination).toBe('auto');
  });
});

describe('field config', () => {
  it("has Grafana's hideFrom, so the override a legend toggle writes (custom.hideFrom) reaches the fields", () => {
    // Grafana applies an override property only when the panel's field config registry has it.
    const item = plugin.fieldConfigRegistry.getIfExists('custom.hideFrom');
    expect(item).toBeDefined();
    expect(item?.defaultValue).toEqual({ viz: false, legend: false, tooltip: false });
  });
});

describe('options migration', () => {
  it('fills every option for a panel saved without options but contamination, left to the app default', () => {
    // A dashboard provisioned or imported without pluginVersion goes through the handler (Scenes' VizPanel); its
    // panel then starts at the app's default contamination, as one added in the editor does.
    const { contamination, ...rest } = withDefaults({});
    expect(migrateOptions({ options: {} } as never)).toEqual(rest);
    expect(migrateOptions({ options: {} } as never)).not.toHaveProperty('contamination');
    expect(contamination).toBe(0.01);
    // A saved value that is no contamination is left unset alike (tools write null): not the built-in 0.01.
    for (const value of ['junk', 0, null, 'AUTO', -0.1]) {
      expect(migrateOptions({ options: { contamination: value } } as never)).not.toHaveProperty('contamination');
    }
  });

  it('converts the draft flat training range and numbers stored as text', () => {
    const migrated = migrateOptions({
      options: {
        trainingRange: 'previous',
        baselineDays: '3',
        contamination: '0.05',
        trees: '200',
        maxSamples: 'auto',
      },
    } as never);
    expect(migrated.training).toEqual({ kind: 'previous', previousDays: 3, from: undefined, to: undefined });
    expect(migrated.contamination).toBe(0.05);
    expect(migrated.trees).toBe(200);
    expect(migrated.maxSamples).toBe('auto');
    expect(migrated).not.toHaveProperty('trainingRange');
    expect(migrated).not.toHaveProperty('baselineDays');
  });

  it('asks Grafana to migrate draft options saved by this very version (the handler runs only on a version change otherwise)', () => {
    // A host-contract review: Scenes' VizPanel migrates when the version differs or the plugin's shouldMigrate says so.
    expect(plugin.shouldMigrate?.({ options: { trainingRange: 'previous', baselineDays: 3 } } as never)).toBe(true);
    expect(plugin.shouldMigrate?.({ options: { trees: '200' } } as never)).toBe(true);
    expect(plugin.shouldMigrate?.({ options: withDefaults({}) } as never)).toBe(false);
    expect(plugin.shouldMigrate?.({ options: { maxSamples: 'auto', contamination: 'auto' } } as never)).toBe(false);
    expect(plugin.shouldMigrate?.({} as never)).toBe(false);
  });

  it('makes a saved seed the engine refuses valid, so a saved dashboard never fails on it', () => {
    expect(migrateOptions({ options: { seed: -5 } } as never).seed).toBe(0);
    expect(migrateOptions({ options: { seed: '-1' } } as never).seed).toBe(0);
    expect(migrateOptions({ options: { seed: 4294967296 } } as never).seed).toBe(SEED_MAX);
    expect(migrateOptions({ options: { seed: 2.5 } } as never).seed).toBe(DEFAULT_OPTIONS.seed);
  });

  it('keeps current options unchanged', () => {
    const current = withDefaults({ contamination: 'auto', mode: 'multivariate', groupByLabel: 'host', trees: 50 });
    expect(migrateOptions({ options: current } as never)).toEqual(current);
  });

  it('is the handler registered on the plugin', () => {
    expect((plugin as PanelPlugin).onPanelMigration).toBe(migrateOptions);
  });
});
