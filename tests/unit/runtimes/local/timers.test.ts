/** `sluice run`'s in-process timers: fire at their time, earliest kept per Rollout and step, cancelled on close. */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { StepDetail } from '../../../../shared/app/contract.js';
import { LocalTimers } from '../../../../shared/runtimes/local/timers.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const d = (expectedStep: number): StepDetail => ({
  cluster: 'c',
  namespace: 'shop',
  rollout: 'reviews',
  expectedStep,
});

describe('LocalTimers', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires each timer at its time, keeping only the earliest per Rollout and step', async () => {
    const fired: [number, StepDetail, string][] = [];
    const setFor: number[] = [];
    const timers = new LocalTimers((detail, reason, at) => {
      fired.push([Date.now() - T0, detail, reason]);
      setFor.push(at.getTime() - T0);
    });
    await timers.at(d(1), new Date(T0 + 5_000), 'pods');
    await timers.at(d(1), new Date(T0 + 30_000), 'pause end'); // later, same step: the 5 s pass asks again
    await timers.at(d(1), new Date(T0 + 3_000), 'deadline'); // earlier: replaces the 5 s one
    await timers.at(d(2), new Date(T0 + 10_000), 'next step');
    expect(timers.size).toBe(2);
    jest.advanceTimersByTime(2_999);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([[3_000, d(1), 'deadline']]);
    jest.advanceTimersByTime(30_000);
    expect(fired).toEqual([
      [3_000, d(1), 'deadline'],
      [10_000, d(2), 'next step'],
    ]);
    // Each pass is told the time its timer was set for (it decides whether a pause's end has come).
    expect(setFor).toEqual([3_000, 10_000]);
    expect(timers.size).toBe(0);
  });

  it('cancels pending timers on close and ignores later ones', async () => {
    const fired: StepDetail[] = [];
    const timers = new LocalTimers((detail) => fired.push(detail));
    await timers.at(d(1), new Date(T0 + 1_000), 'pods');
    timers.close();
    await timers.at(d(2), new Date(T0 + 1_000), 'pods');
    jest.advanceTimersByTime(60_000);
    expect(fired).toEqual([]);
    expect(timers.size).toBe(0);
  });
});
