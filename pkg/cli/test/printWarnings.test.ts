import { printWarnings } from '../src/output/printWarnings';

function printed(count: number, kept?: string): string[] {
  const lines: string[] = [];
  printWarnings(
    Array.from({ length: count }, (_, i) => `warning ${i + 1}`),
    kept,
    (text) => lines.push(text)
  );
  return lines;
}

describe('printWarnings', () => {
  test('prints up to a screenful in full', () => {
    expect(printed(25)).toHaveLength(25);
    expect(printed(2)).toEqual([
      'telemetry-analyzer: warning: warning 1\n',
      'telemetry-analyzer: warning: warning 2\n',
    ]);
  });

  test('beyond, the first 20 and how many more, and where all of them are', () => {
    const lines = printed(5500, 'summary.json');
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('telemetry-analyzer: warning: warning 20\n');
    expect(lines[20]).toBe('telemetry-analyzer: warning: 5480 more warnings (all of them in summary.json)\n');
    expect(printed(26)[20]).toBe('telemetry-analyzer: warning: 6 more warnings\n');
  });
});
