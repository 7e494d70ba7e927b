import { type DataFrame, FieldType, type Labels } from '@grafana/data';

/** A spiky but deterministic series: a slow sine with noise from a fixed LCG, plus spikes at the given rows. */
export function syntheticSeries(length: number, spikes: number[] = [], seed = 7): number[] {
  let state = seed;
  const noise = () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296 - 0.5;
  };
  return Array.from({ length }, (_, i) => 50 + 10 * Math.sin(i / 10) + noise() * 2 + (spikes.includes(i) ? 60 : 0));
}

export const START = Date.UTC(2024, 0, 1);
export const STEP = 60_000;

export function times(length: number, start = START, step = STEP): number[] {
  return Array.from({ length }, (_, i) => start + i * step);
}

/** A Prometheus-style frame: Time + Value, the series identity in the labels. */
export function prometheusFrame(values: Array<number | null>, labels: Labels, refId = 'A'): DataFrame {
  return {
    refId,
    length: values.length,
    fields: [
      { name: 'Time', type: FieldType.time, values: times(values.length), config: { interval: STEP } },
      { name: 'Value', type: FieldType.number, values, labels, config: {} },
    ],
  };
}
