import { legendHeight, MIN_SCORE_PANE_HEIGHT, scorePaneHeight } from '../AnomalyChart';

describe("the chart's layout: legend and score pane heights", () => {
  // Two series on two units (Prometheus label sets), as a browser review had them in an 820 px panel.
  const cpu = 'cpu_usage{instance="node-exporter-01:9100", job="node"}';
  const mem = 'mem{instance="node-exporter-02:9100"}';

  it("gives a right axis' series rows of their own when they do not fit beside the left ones", () => {
    // The right section takes at least half the width: beside a 425 px item it needs a row of its own.
    expect(legendHeight([cpu], 820, 400, [mem])).toBe(2 * 22 + 15 + 4);
    // Short ones share one row.
    expect(legendHeight(['cpu'], 820, 400, ['mem'])).toBe(22 + 4);
    // One axis alone: as before.
    expect(legendHeight([cpu, mem], 820, 400)).toBe(22 + 4);
    expect(legendHeight([], 820, 400)).toBe(0);
  });

  it('never takes more than its share of the chart (the legend scrolls beyond)', () => {
    expect(legendHeight([cpu], 820, 100, [mem])).toBe(35);
  });

  it('leaves the score pane out until the series chart keeps the most room, then gives it a share', () => {
    expect(scorePaneHeight(200, true)).toBe(0);
    expect(scorePaneHeight(230, true)).toBe(MIN_SCORE_PANE_HEIGHT);
    expect(scorePaneHeight(600, true)).toBe(168);
    expect(scorePaneHeight(600, false)).toBe(0);
    for (const height of [230, 250, 300, 400]) {
      expect(height - scorePaneHeight(height, true)).toBeGreaterThan(scorePaneHeight(height, true));
    }
  });
});
