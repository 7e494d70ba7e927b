import { AxisWidthGroup } from '../axisWidthGroup';

/** A group of named members whose relayouts are recorded, as uPlot would call back: with their current need. */
function group(needs: Record<string, number>) {
  const relayouts: string[] = [];
  const axes: AxisWidthGroup<string> = new AxisWidthGroup((member) => {
    relayouts.push(member);
    widths[member] = axes.widthFor(member, needs[member]);
  });
  const widths: Record<string, number> = {};
  const layout = (member: string) => (widths[member] = axes.widthFor(member, needs[member]));
  const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  return { axes, relayouts, widths, layout, settled };
}

describe('AxisWidthGroup', () => {
  it('gives every member the widest need, and lays out again the one laid out narrower before', async () => {
    const needs = { chart: 41, scores: 33 };
    const { relayouts, widths, layout, settled } = group(needs);
    layout('chart');
    layout('scores');
    await settled();
    expect(widths).toEqual({ chart: 41, scores: 41 });
    expect(relayouts).toEqual([]); // the narrower came second: it took the width at once

    // The score pane's labels grow wider than the chart's: the chart follows.
    needs.scores = 52;
    layout('scores');
    expect(widths.scores).toBe(52);
    await settled();
    expect(relayouts).toEqual(['chart']);
    expect(widths).toEqual({ chart: 52, scores: 52 });
  });

  it('narrows all when the widest need shrinks, and asks nothing of the others when no need changed', async () => {
    const needs = { chart: 60, scores: 33 };
    const { relayouts, widths, layout, settled } = group(needs);
    layout('scores');
    layout('chart');
    await settled();
    expect(relayouts).toEqual(['scores']);
    relayouts.length = 0;

    layout('chart'); // a refresh: same labels
    layout('scores');
    await settled();
    expect(relayouts).toEqual([]);

    needs.chart = 20;
    layout('chart');
    await settled();
    expect(widths).toEqual({ chart: 33, scores: 33 });
    expect(relayouts).toEqual(['scores']);
  });

  it('lets a member leave: the rest narrow to their own widest, and the one gone is not laid out', async () => {
    const needs = { chart: 30, scores: 45 };
    const { axes, relayouts, widths, layout, settled } = group(needs);
    layout('chart');
    layout('scores');
    axes.leave('scores');
    await settled();
    expect(relayouts).toEqual(['chart']);
    expect(widths.chart).toBe(30);
  });
});
