import { overFlaggingWarning } from '../src/flagShare';

describe('overFlaggingWarning', () => {
  it('says nothing while the flagged share is within three times the contamination', () => {
    expect(overFlaggingWarning(30, 1000, 0.01)).toBeUndefined();
    expect(overFlaggingWarning(0, 1000, 0.01)).toBeUndefined();
    expect(overFlaggingWarning(0, 0, 0.01)).toBeUndefined();
  });

  it('warns past it, with the counts, the share and what to do', () => {
    expect(overFlaggingWarning(31, 1000, 0.01)).toMatch(
      /^flagged 31 of 1000 rows \(3\.1 %\), more than 3 times the contamination 0\.01: .*online mode/
    );
  });

  it('online, does not tell the user to use online mode: it names the records that flag beyond the contamination', () => {
    const online = overFlaggingWarning(31, 1000, 0.01, true);
    expect(online).toMatch(
      /^flagged 31 of 1000 rows \(3\.1 %\), more than 3 times the contamination 0\.01: online, .*record/
    );
    expect(online).not.toMatch(/use online mode/);
    expect(overFlaggingWarning(30, 1000, 0.01, true)).toBeUndefined();
  });

  it("judges 'auto' against 5 %, saying it is sklearn's fixed threshold", () => {
    expect(overFlaggingWarning(50, 1000, 'auto')).toBeUndefined();
    expect(overFlaggingWarning(250, 1000, 'auto')).toMatch(
      /\(25 %\), more than 5\.0 %: contamination "auto" is scikit-learn's fixed threshold, 0\.5 on the raw/
    );
  });

  it("online, says 'auto' compares the raw score, not the calibrated one, and gives no advice about records", () => {
    // A review: "auto" online flagged 83 % of a series while its calibrated scores were under 0.5, and the warning
    // blamed new extremes.
    const online = overFlaggingWarning(830, 1000, 'auto', true);
    expect(online).toMatch(/0\.5 on the raw Isolation Forest score \(not the calibrated anomaly score\)/);
    expect(online).toMatch(/set a contamination/);
    expect(online).not.toMatch(/new extremes/);
  });

  it('does not judge a handful of flags', () => {
    expect(overFlaggingWarning(9, 20, 0.01)).toBeUndefined();
  });
});
