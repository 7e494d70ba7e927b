import { allGroupsWarning } from '../src/pipeline/allGroupsFlagging';

describe('allGroupsWarning: the flags of all groups together', () => {
  const groups = (n: number, flagged: number, scored: number) => Array.from({ length: n }, () => ({ flagged, scored }));

  test('many groups each too small to judge, flagging far more than asked in all', () => {
    // One flag in each of 1 000 groups of 20 scored rows: 5 % against a contamination of 1 %.
    expect(allGroupsWarning(groups(1000, 1, 20), 0.01, true, false)).toMatch(
      /^all 1000 groups together: flagged 1000 of 20000 rows \(5\.0 %\), more than 3 times the contamination 0\.01/
    );
  });

  test('nothing when the share is within what was asked, when a group was warned of, or for one group', () => {
    expect(allGroupsWarning(groups(1000, 1, 200), 0.01, true, false)).toBeUndefined();
    expect(allGroupsWarning(groups(1000, 1, 20), 0.01, true, true)).toBeUndefined();
    expect(allGroupsWarning(groups(1, 100, 2000), 0.01, true, false)).toBeUndefined();
  });
});
