import { AnomalyDetector, IsolationForest, type SeriesTable, runSteps } from '@telemetry-analyzer/engine';
import { type BuiltFeatures, buildFeatureSteps, buildFeatures } from '../src/buildFeatures';
import { resolveFeatureOptions } from '../src/featureOptions';
import { Lendable, WorkingArray } from '../src/workingArray';
import { gaussianMatrix } from './gaussianMatrix';
import { syntheticTable } from './syntheticTable';

describe('WorkingArray', () => {
  it('hands out the kept array again while it is long enough, a new one when it is not', () => {
    const working = new WorkingArray((n) => new Float64Array(n));
    const first = working.take(100);
    first[5] = 7;
    const again = working.take(50);
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(50);
    expect(again[5]).toBe(7); // contents as left: callers write before they read
    const longer = working.take(200);
    expect(longer.buffer).not.toBe(first.buffer);
    expect(working.take(10).buffer).toBe(longer.buffer);
  });

  it('keeps no array over 2 MiB: a larger one is made for every call', () => {
    const working = new WorkingArray((n) => new Float64Array(n));
    const big = working.take(300_000); // 2.4 MB
    expect(working.take(300_000).buffer).not.toBe(big.buffer);
  });
});

describe('Lendable', () => {
  it("lends the thread's set to one caller at a time; others get sets of their own", () => {
    const lendable = new Lendable(() => ({ id: Symbol('set') }));
    const first = lendable.borrow();
    const second = lendable.borrow();
    expect(second).not.toBe(first);
    lendable.giveBack(first);
    lendable.giveBack(second); // the thread keeps one free set: this one is dropped
    expect(lendable.borrow()).toBe(first);
    expect(lendable.borrow()).not.toBe(second);
  });

  it('keeps lending after a caller dropped its set without giving it back (a generator given up half-way)', () => {
    const lendable = new Lendable(() => ({ id: Symbol('set') }));
    lendable.borrow(); // never given back
    const next = lendable.borrow();
    lendable.giveBack(next);
    expect(lendable.borrow()).toBe(next);
  });
});

describe('forests grown in reused working arrays', () => {
  it('are the forests a fresh thread grows, whatever was grown before (bigger, smaller, other features)', () => {
    const small = gaussianMatrix(300, 3, 11);
    const large = gaussianMatrix(5000, 9, 12);
    const smallParams = { nEstimators: 10, maxSamples: 64, seed: 3 };
    const largeParams = { nEstimators: 200, seed: 4 };
    // In order: small, large, small again, large again: each pair must serialise identically.
    const runs = [
      new IsolationForest(smallParams).fit(small),
      new IsolationForest(largeParams).fit(large),
      new IsolationForest(smallParams).fit(small),
      new IsolationForest(largeParams).fit(large),
    ].map((forest) => JSON.stringify(forest.toJSON()));
    expect(runs[2]).toBe(runs[0]);
    expect(runs[3]).toBe(runs[1]);
  });

  it('trainAndScore (no copy of the training rows, scaled in place) gives what train then score gives', () => {
    const table = syntheticTable(3000, { cpu: { level: 50, amplitude: 10 }, memory: { level: 70, noise: 2 } });
    const options = { forest: { contamination: 0.02, nEstimators: 50 } };
    const { detector, results } = AnomalyDetector.trainAndScore(table, options);
    const trained = AnomalyDetector.train(table, options);
    expect(Array.from(results[0].scores)).toEqual(Array.from(trained.score(table)[0].scores));
    expect(results[0].threshold).toBe(trained.score(table)[0].threshold);
    expect(JSON.stringify(detector.toJSON())).toBe(JSON.stringify(trained.toJSON()));
  });
});

describe('feature builds sharing the working arrays', () => {
  const options = resolveFeatureOptions({ seasonality: true });
  const tableA = syntheticTable(3000, { cpu: { level: 50, amplitude: 10, seed: 1 } });
  const tableB = syntheticTable(2500, {
    cpu: { level: 5, amplitude: 1, seed: 2 },
    mem: { level: 80, noise: 3, seed: 3 },
  });
  const alone = (table: SeriesTable) => buildFeatures(table, options);

  it('two builds interleaved step by step give what each gives alone', () => {
    const expectedA = alone(tableA);
    const expectedB = alone(tableB);
    const a = buildFeatureSteps(tableA, options);
    const b = buildFeatureSteps(tableB, options);
    let doneA: IteratorResult<void, BuiltFeatures> = { done: false, value: undefined };
    let doneB: IteratorResult<void, BuiltFeatures> = { done: false, value: undefined };
    while (!doneA.done || !doneB.done) {
      doneA = doneA.done ? doneA : a.next();
      doneB = doneB.done ? doneB : b.next();
    }
    expect(doneA.value).toEqual(expectedA);
    expect(doneB.value).toEqual(expectedB);
  });

  it('a build given up half-way (with or without return()) leaves later builds right', () => {
    const expected = alone(tableA);
    const closed = buildFeatureSteps(tableB, options);
    closed.next();
    closed.next();
    closed.return(undefined as never);
    expect(alone(tableA)).toEqual(expected);
    const abandoned = buildFeatureSteps(tableB, options);
    abandoned.next();
    abandoned.next();
    expect(alone(tableA)).toEqual(expected);
    // The abandoned build still finishes right if taken up again.
    expect(runSteps(abandoned)).toEqual(alone(tableB));
  });
});

describe('trainAndScore with a borrowed training matrix', () => {
  const options = { forest: { contamination: 0.02, nEstimators: 30 } };
  const tableA = syntheticTable(2000, { cpu: { level: 50, amplitude: 10, seed: 4 } });
  const tableB = syntheticTable(2600, {
    cpu: { level: 9, amplitude: 2, seed: 5 },
    io: { level: 30, noise: 4, seed: 6 },
  });
  const alone = (table: SeriesTable) => {
    const { detector, results } = AnomalyDetector.trainAndScore(table, options);
    return { model: JSON.stringify(detector.toJSON()), scores: Array.from(results[0].scores) };
  };
  const finish = (steps: ReturnType<typeof AnomalyDetector.trainAndScoreSteps>) => {
    const { detector, results } = runSteps(steps);
    return { model: JSON.stringify(detector.toJSON()), scores: Array.from(results[0].scores) };
  };

  it('two interleaved step by step, and one given up half-way, give what each gives alone', () => {
    const expectedA = alone(tableA);
    const expectedB = alone(tableB);
    const a = AnomalyDetector.trainAndScoreSteps(tableA, options, 256);
    const b = AnomalyDetector.trainAndScoreSteps(tableB, options, 256);
    // Twelve steps each: into feature building and training, where both hold their borrowed sets at once.
    for (let step = 0; step < 12; step++) {
      a.next();
      b.next();
    }
    const abandoned = AnomalyDetector.trainAndScoreSteps(tableB, options, 256);
    abandoned.next(); // holds a feature set and never gives it back: later builds on this thread must not care
    expect(finish(a)).toEqual(expectedA);
    expect(alone(tableA)).toEqual(expectedA);
    expect(finish(b)).toEqual(expectedB);
    expect(alone(tableB)).toEqual(expectedB);
  });
});
