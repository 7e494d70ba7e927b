import { flagShareNotice } from '../flagShareNotice';

describe('flagShareNotice', () => {
  it('warns about auto above 5 % of the points, naming the share', () => {
    expect(flagShareNotice('auto', 50, 1000)).toBeUndefined();
    expect(flagShareNotice('auto', 260, 1000)).toMatchObject({
      kind: 'auto',
      share: 0.26,
      title: 'Contamination auto flags 26.0 % of the points',
    });
  });

  it('warns about a numeric contamination flagged more than three times over, and says what to do', () => {
    expect(flagShareNotice(0.01, 30, 1000)).toBeUndefined();
    const notice = flagShareNotice(0.01, 200, 1000)!;
    expect(notice).toMatchObject({
      kind: 'over-flagging',
      title: '20.0 % of the points flagged at contamination 0.01',
    });
    expect(notice.text).toMatch(/More than 20 times the contamination.*Online mode/);
  });

  it('says nothing about a handful of flags or nothing scored', () => {
    expect(flagShareNotice(0.01, 5, 20)).toBeUndefined();
    expect(flagShareNotice(0.01, 0, 0)).toBeUndefined();
  });
});
