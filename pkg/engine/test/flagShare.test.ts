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
    expect(overFlaggingWarning(250, 1000, 'auto')).toMatch(/\(25 %\), contamination "auto" \(a fixed 0\.5 threshold\)/);
  });

  it('does not judge a handful of flags', () => {
    expect(overFlaggingWarning(9, 20, 0.01)).toBeUndefined();
  });
});
