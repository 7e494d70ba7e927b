import { MAX_TRAINING_ROWS } from '../../pipeline/chunkedScore';
import { alignedQueryStart, trainingPlan } from '../trainingPlan';
import { MAX_TRAINING_QUERIES, TRAINING_QUERY_STEPS, trainingQueryRanges } from '../trainingQueryRanges';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
const features = { window: 12, lags: 3 };
const previousDay = { kind: 'previous' as const, previousDays: 1 };
// 10:17 on some day: off the hour, as most dashboards' ranges start.
const visibleFrom = 1_700_000_000_000 - (1_700_000_000_000 % HOUR) + 17 * MINUTE;
const now = visibleFrom + 6 * HOUR;

describe('trainingPlan (the proxy reads the rule the panel writes the same way)', () => {
  it('online: the previous day ends on the hour before the range; the rows from there on are scored, not drawn', () => {
    const plan = trainingPlan(previousDay, {
      scoreStartMs: visibleFrom,
      online: true,
      stepMs: MINUTE,
      features,
      nowMs: now,
    });
    const hour = visibleFrom - 17 * MINUTE;
    expect(plan).toEqual({ fetch: { from: hour - DAY, to: visibleFrom }, warmupEndMs: hour });
  });

  it('batch: the previous day ends on the hour before the first point of the feature history, end included', () => {
    // 16 steps of 4 minutes of history (window + lags + 1) and one more step before 10:17 is 09:09: the hour 09:00.
    const fourMinutes = 4 * MINUTE;
    const plan = trainingPlan(previousDay, {
      scoreStartMs: visibleFrom,
      online: false,
      stepMs: fourMinutes,
      features,
      nowMs: now,
    });
    const end = visibleFrom - 17 * MINUTE - HOUR;
    expect(plan).toEqual({ fetch: { from: end - DAY, to: end } });
    // With a 1-minute step the history starts at 10:01 and the step before it is 10:00: the hour 10:00.
    expect(
      trainingPlan(previousDay, { scoreStartMs: visibleFrom, online: false, stepMs: MINUTE, features, nowMs: now })
    ).toEqual({ fetch: { from: end + HOUR - DAY, to: end + HOUR } });
  });

  it('never ends after the hour that holds now (a range in the future)', () => {
    const plan = trainingPlan(previousDay, {
      scoreStartMs: now + 5 * HOUR,
      online: false,
      stepMs: MINUTE,
      features,
      nowMs: now,
    });
    expect(plan?.fetch.to).toBe(now - (now % HOUR));
  });

  it('fetches only the newest rows a model trains on, and says it did (the panel tells the user)', () => {
    const week = { kind: 'previous' as const, previousDays: 7 };
    const plan = trainingPlan(week, { scoreStartMs: visibleFrom, online: true, stepMs: 15_000, features, nowMs: now })!;
    expect(plan.fetch.from).toBe(plan.warmupEndMs! - (MAX_TRAINING_ROWS - 1) * 15_000);
    expect(plan.capped).toBe(true);
    // A window of exactly MAX_TRAINING_ROWS rows (both ends included) is fetched whole.
    const exact = (MAX_TRAINING_ROWS - 1) * MINUTE;
    const fixed = {
      kind: 'absolute' as const,
      previousDays: 7,
      from: visibleFrom - DAY - exact,
      to: visibleFrom - DAY,
    };
    const whole = trainingPlan(fixed, {
      scoreStartMs: visibleFrom,
      online: false,
      stepMs: MINUTE,
      features,
      nowMs: now,
    });
    expect(whole).toEqual({ fetch: { from: fixed.from, to: fixed.to } });
    const longer = { ...fixed, from: fixed.from - MINUTE };
    expect(
      trainingPlan(longer, { scoreStartMs: visibleFrom, online: false, stepMs: MINUTE, features, nowMs: now })
    ).toEqual({ fetch: { from: fixed.from, to: fixed.to }, capped: true });
  });

  it('a fixed range is taken as given; online, the rows up to the visible range follow it', () => {
    const fixed = {
      kind: 'absolute' as const,
      previousDays: 7,
      from: visibleFrom - 3 * DAY,
      to: visibleFrom - 2 * DAY,
    };
    expect(trainingPlan(fixed, { scoreStartMs: visibleFrom, online: false, stepMs: 0, features, nowMs: now })).toEqual({
      fetch: { from: fixed.from, to: fixed.to },
    });
    expect(trainingPlan(fixed, { scoreStartMs: visibleFrom, online: true, stepMs: 0, features, nowMs: now })).toEqual({
      fetch: { from: fixed.from, to: visibleFrom },
      warmupEndMs: fixed.to,
    });
  });

  it('the visible range: no training query', () => {
    const visible = { kind: 'visible' as const, previousDays: 7 };
    expect(
      trainingPlan(visible, { scoreStartMs: visibleFrom, online: true, stepMs: MINUTE, features, nowMs: now })
    ).toBeUndefined();
  });
});

describe("trainingQueryRanges (the training query at the panel's own step)", () => {
  it('cuts a range into pieces on the step grid that cover it, none overlapping, none over the step limit', () => {
    const step = 15_000;
    const range = { from: visibleFrom - 3 * DAY + 7_000, to: visibleFrom };
    const pieces = trainingQueryRanges(range, step);
    expect(pieces.length).toBe(
      Math.ceil((range.to - Math.floor(range.from / step) * step) / step / TRAINING_QUERY_STEPS)
    );
    expect(pieces[0].from).toBe(Math.floor(range.from / step) * step);
    expect(pieces[pieces.length - 1].to).toBe(range.to);
    pieces.forEach((piece, i) => {
      expect(piece.from % step).toBe(0);
      expect((piece.to - piece.from) / step + 1).toBeLessThanOrEqual(TRAINING_QUERY_STEPS);
      if (i > 0) {
        expect(piece.from).toBe(pieces[i - 1].to + step);
      }
    });
  });

  it('one query when the step is unknown', () => {
    expect(trainingQueryRanges({ from: 0, to: DAY }, 0)).toEqual([{ from: 0, to: DAY }]);
  });

  it('refuses a range of more pieces than the limit, saying how many points it holds', () => {
    const range = { from: 0, to: MAX_TRAINING_QUERIES * TRAINING_QUERY_STEPS * 1000 };
    expect(() => trainingQueryRanges(range, 1000)).toThrow(/holds 100001 points per series .* at most 100000/);
  });
});

describe('alignedQueryStart (where Grafana starts the visible query, which the proxy reads windows from)', () => {
  it('rounds down to the step: a range starting on the hour at 7 minutes starts 6 minutes before it', () => {
    const hour = visibleFrom - 17 * MINUTE;
    const aligned = alignedQueryStart(hour, 7 * MINUTE, 0);
    expect(hour % (7 * MINUTE)).toBeGreaterThan(0); // this hour is not on the 7-minute grid
    expect(hour - aligned).toBe(hour % (7 * MINUTE));
    // And so the online window ends on the hour before.
    const plan = trainingPlan(previousDay, {
      scoreStartMs: aligned,
      online: true,
      stepMs: 7 * MINUTE,
      features,
      nowMs: now,
    })!;
    expect(plan.warmupEndMs).toBe(hour - HOUR);
  });

  it("in the dashboard's UTC offset, as Grafana sends utcOffsetSec: a 1 h step in Kolkata starts on the half hour", () => {
    const kolkata = 330 * MINUTE;
    expect(alignedQueryStart(visibleFrom, HOUR, kolkata) % HOUR).toBe(30 * MINUTE);
    expect(alignedQueryStart(visibleFrom, 0, kolkata)).toBe(visibleFrom);
  });
});
