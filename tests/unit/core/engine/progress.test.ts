/** Progress deadline arithmetic as tables (the pass-level behaviour is in progress-deadline.test.ts). */
import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
  deadlineOf,
  progressDeadlineSeconds,
  timedOut,
  timedOutMessage,
} from '../../../../shared/core/engine/progress.js';
import type { RolloutCondition } from '../../../../shared/core/model/types.js';
import { rollout } from './support/fixtures.js';

const withDeadline = (v: unknown) => {
  const r = rollout('host');
  if (v !== undefined) (r.spec as { progressDeadlineSeconds?: unknown }).progressDeadlineSeconds = v;
  return r;
};
const cond = (reason: string, lastUpdateTime = '2026-01-01T00:00:00Z'): RolloutCondition => ({
  type: 'Progressing',
  status: 'True',
  reason,
  message: '',
  lastUpdateTime,
  lastTransitionTime: lastUpdateTime,
});
const T = Date.parse('2026-01-01T00:00:00Z');

describe('progressDeadlineSeconds', () => {
  it.each<{ v: unknown; want: number }>([
    { v: undefined, want: DEFAULT_PROGRESS_DEADLINE_SECONDS },
    { v: 30, want: 30 },
    { v: 0, want: 0 },
    { v: -1, want: 600 },
    { v: Number.POSITIVE_INFINITY, want: 600 },
    { v: '30', want: 600 },
  ])('$v → $want', ({ v, want }) => {
    expect(progressDeadlineSeconds(withDeadline(v))).toBe(want);
  });
});

describe('deadlineOf', () => {
  it.each<{ case: string; c: RolloutCondition | undefined; want: number | undefined }>([
    { case: 'no condition', c: undefined, want: undefined },
    { case: 'ReplicaSetUpdated', c: cond('ReplicaSetUpdated'), want: T + 30_000 },
    { case: 'RolloutAborted never times out', c: cond('RolloutAborted'), want: undefined },
    { case: 'NewReplicaSetAvailable never times out', c: cond('NewReplicaSetAvailable'), want: undefined },
    { case: 'RolloutPaused never times out', c: cond('RolloutPaused'), want: undefined },
    { case: 'unreadable time', c: cond('ReplicaSetUpdated', 'soon'), want: undefined },
  ])('$case', ({ c, want }) => {
    expect(deadlineOf(withDeadline(30), c)).toBe(want);
  });
});

describe('timedOut', () => {
  it.each<{ case: string; c: RolloutCondition | undefined; at: number; want: boolean }>([
    { case: 'already ProgressDeadlineExceeded', c: cond('ProgressDeadlineExceeded'), at: T, want: true },
    { case: 'before the deadline', c: cond('ReplicaSetUpdated'), at: T + 29_999, want: false },
    { case: 'exactly at the deadline', c: cond('ReplicaSetUpdated'), at: T + 30_000, want: false },
    { case: 'past the deadline', c: cond('ReplicaSetUpdated'), at: T + 30_001, want: true },
    { case: 'paused, long past', c: cond('RolloutPaused'), at: T + 3_600_000, want: false },
    { case: 'no condition', c: undefined, at: T + 3_600_000, want: false },
  ])('$case', ({ c, at, want }) => {
    expect(timedOut(withDeadline(30), c, new Date(at))).toBe(want);
  });
});

describe('timedOutMessage', () => {
  it('is ReplicaSetTimeOutMessage', () => {
    expect(timedOutMessage('demo-abc')).toBe('ReplicaSet "demo-abc" has timed out progressing.');
  });
});
