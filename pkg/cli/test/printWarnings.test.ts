import { printWarnings } from '../src/output/printWarnings';
import { groupPrefix, isAboutOneGroup } from '../src/output/groupPrefix';

function printed(warnings: string[], kept?: string): string[] {
  const lines: string[] = [];
  printWarnings(warnings, kept, (text) => lines.push(text));
  return lines;
}

const ofGroups = (count: number) => Array.from({ length: count }, (_, i) => `group "h${i + 1}": constant column`);

describe('printWarnings', () => {
  test('prints up to a screenful in full, in their order', () => {
    expect(printed(ofGroups(25), 'summary.json')).toHaveLength(25);
    expect(printed(['a', 'group "b": c'], 'summary.json')).toEqual([
      'telemetry-analyzer: warning: a\n',
      'telemetry-analyzer: warning: group "b": c\n',
    ]);
  });

  test('beyond, every warning about the whole input, the first about single groups, and how many more', () => {
    const lines = printed(
      [...ofGroups(5498), '3 groups had too few rows', 'all 5500 groups together: …'],
      'summary.json'
    );
    expect(lines).toHaveLength(21);
    expect(lines.slice(0, 2)).toEqual([
      'telemetry-analyzer: warning: 3 groups had too few rows\n',
      'telemetry-analyzer: warning: all 5500 groups together: …\n',
    ]);
    expect(lines[19]).toBe('telemetry-analyzer: warning: group "h18": constant column\n');
    expect(lines[20]).toBe(
      'telemetry-analyzer: warning: 5480 more warnings about single groups (all of them in summary.json)\n'
    );
  });

  test('escapes control and bidirectional characters of names from the input (summary.json keeps them as they are)', () => {
    expect(printed([`${groupPrefix('\u001b[2Jx\u202e')}constant column`], 'summary.json')).toEqual([
      'telemetry-analyzer: warning: group "\\x1b[2Jx\\u{202e}": constant column\n',
    ]);
  });

  test('all of them when no file keeps them (train)', () => {
    expect(printed(ofGroups(100), undefined)).toHaveLength(100);
  });
});

describe('groupPrefix', () => {
  it('is what printWarnings reads as a warning about one group, and nothing for the whole input', () => {
    expect(isAboutOneGroup(`${groupPrefix('web-1')}metric cpu is missing`)).toBe(true);
    expect(isAboutOneGroup(`${groupPrefix('')}metric cpu is missing`)).toBe(false);
  });
});
