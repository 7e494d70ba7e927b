import { FieldType, toDataFrame } from '@grafana/data';
import type { ModelAnalysis } from '../../analysis/analysePanel';
import { hiddenByFieldConfig } from '../seriesVisibility';

/** One frame per series, its value field's config as given. */
const frames = (configs: Array<Record<string, unknown>>) =>
  configs.map((config, i) =>
    toDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [1, 2] },
        { name: 'Value', type: FieldType.number, values: [1, 2], labels: { host: `h${i}` }, config },
      ],
    })
  );

/** One model per series (what hiddenByFieldConfig reads of an analysis: its series' places and names). */
const analyses = (count: number) =>
  Array.from(
    { length: count },
    (_, i) => ({ model: { series: [{ frameIndex: i, fieldIndex: 1, name: `h${i}` }] } }) as unknown as ModelAnalysis
  );

describe('hiddenByFieldConfig', () => {
  it("reads each area of a field's custom.hideFrom on its own, the chart's (viz) by default", () => {
    const data = frames([
      {},
      { custom: { hideFrom: { viz: true, legend: false, tooltip: true } } },
      { custom: { hideFrom: { legend: true } } },
      { custom: { hideFrom: { tooltip: true } } },
    ]);
    expect([...hiddenByFieldConfig(analyses(4), data)]).toEqual(['h1']);
    expect([...hiddenByFieldConfig(analyses(4), data, 'legend')]).toEqual(['h2']);
    expect([...hiddenByFieldConfig(analyses(4), data, 'tooltip')]).toEqual(['h1', 'h3']);
  });
});
