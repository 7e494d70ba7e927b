import { act, renderHook } from '@testing-library/react';
import { useInLaterTask } from '../AnomalyChart';

/** Runs the tasks queued so far (the hook's setTimeout(0)). */
const nextTask = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));

describe('useInLaterTask', () => {
  const sameLength = (a: number[], b: number[]) => a.length === b.length;
  const initial: number[] = [];
  /** The hook, given `first` and then what rerender({ value }) gives it; a value builds the same as another of its length. */
  const renderLater = (first: number[]) =>
    renderHook(({ value }) => useInLaterTask(value, initial, sameLength), { initialProps: { value: first } });

  it('hands a first value over a task later (a first build gets a task of its own)', async () => {
    const first = [1, 2];
    const { result } = renderLater(first);
    expect(result.current).toBe(initial);
    await nextTask();
    expect(result.current).toBe(first);
  });

  it('hands a value that builds the same at once (a refresh), and one that builds anew a task later', async () => {
    const { result, rerender } = renderLater([1, 2]);
    await nextTask();
    const refreshed = [3, 4];
    rerender({ value: refreshed });
    expect(result.current).toBe(refreshed);
    const other = [5, 6, 7];
    rerender({ value: other });
    expect(result.current).toBe(refreshed);
    await nextTask();
    expect(result.current).toBe(other);
  });

  it('a same-build value arriving while a new build waits replaces it at once, and the waiting one never shows', async () => {
    const { result, rerender } = renderLater([1, 2]);
    await nextTask();
    rerender({ value: [5, 6, 7] }); // another build: waits a task
    const refreshed = [8, 9];
    rerender({ value: refreshed }); // builds what is shown: at once
    expect(result.current).toBe(refreshed);
    await nextTask();
    expect(result.current).toBe(refreshed);
  });

  it('a value that changes while it waits is handed over once, the latest, a task after the last change', async () => {
    const { result, rerender } = renderLater([1]);
    const latest = [1, 2, 3];
    rerender({ value: latest });
    expect(result.current).toBe(initial);
    await nextTask();
    expect(result.current).toBe(latest);
  });
});
