import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { POD_WAIT_REQUEUE_SECONDS } from '../../../../shared/core/engine/pass.js';
import {
  atIndefiniteStep,
  madeProgress,
  secondsUntilDeadline,
  timedOut,
} from '../../../../shared/core/engine/progress.js';
import type { Plan } from '../../../../shared/core/engine/types.js';
import {
  LABELS,
  type CanaryStep,
  type Rollout,
  type RolloutCondition,
  type RolloutStatus,
} from '../../../../shared/core/model/types.js';
import { drive } from './support/drive.js';
import { T0, World, weightsOf } from './support/fixtures.js';

const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const progressingOf = (s: RolloutStatus | undefined): RolloutCondition | undefined =>
  s?.conditions?.find((c) => c.type === 'Progressing');

/** A rollout at revision 2 whose canary pods never become available (nothing settles after the update). */
function stuck(
  spec: { progressDeadlineSeconds?: number; progressDeadlineAbort?: boolean } = {},
  steps?: CanaryStep[],
): World {
  const w = new World('host', steps);
  Object.assign(w.rollout.spec, spec);
  drive(w);
  w.updateImage('demo:2');
  drive(w, { settle: false });
  return w;
}

/** Plans once at `now`, applies, and returns the plan. */
function passAt(w: World, now: Date): Plan {
  w.now = now;
  const p = plan(w.observed());
  w.apply(p);
  return p;
}

describe('progress deadline (Argo RolloutTimedOut)', () => {
  it('a canary whose pods never become available times out strictly after progressDeadlineSeconds', () => {
    const w = stuck();
    const rsName = `demo-${w.rollout.status?.currentPodHash}`;
    expect(progressingOf(w.rollout.status)).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: '2026-01-01T00:00:00Z',
    });

    const onTime = plan({ ...w.observed(), now: at(600) });
    expect(onTime.status).toBeUndefined();
    expect(onTime.effects).toEqual([]);
    expect(onTime.requeueAfterSeconds).toBe(1);

    const p = passAt(w, at(601));
    expect(p.effects).toEqual([]);
    expect(p.events).toEqual([]);
    expect(p.transition).toBe('status-only');
    expect(p.requeueAfterSeconds).toBeUndefined();
    expect(progressingOf(p.status)).toEqual({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rsName}" has timed out progressing.`,
      lastUpdateTime: '2026-01-01T00:10:01Z',
      lastTransitionTime: '2026-01-01T00:10:01Z',
    });
    expect(p.status?.phase).toBe('Degraded');
    expect(p.status?.message).toBe(
      `ProgressDeadlineExceeded: ReplicaSet "${rsName}" has timed out progressing.`,
    );
    expect(p.status?.abort).toBeUndefined();
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 100, 'demo-canary': 0 });

    const again = plan({ ...w.observed(), now: at(3600) });
    expect(again).toMatchObject({ effects: [], events: [] });
    expect(again.status).toBeUndefined();
    expect(again.transition).toBeUndefined();
  });

  it('honours a custom progressDeadlineSeconds', () => {
    const w = stuck({ progressDeadlineSeconds: 60 });
    expect(plan({ ...w.observed(), now: at(60) }).status).toBeUndefined();
    expect(passAt(w, at(61)).status?.phase).toBe('Degraded');
  });

  it('recovers when the pods become available after the timeout, and the steps go on', () => {
    const w = stuck();
    passAt(w, at(601));
    w.settle();
    const p = passAt(w, at(700));
    expect(progressingOf(p.status)).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: '2026-01-01T00:11:40Z',
      lastTransitionTime: '2026-01-01T00:11:40Z',
    });
    drive(w);
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    expect(w.rollout.status?.phase).toBe('Paused');
  });

  it('each progress restamps lastUpdateTime, so a slow but moving rollout does not time out', () => {
    const w = stuck({}, [{ setWeight: 25 }, { setWeight: 50 }, { setWeight: 75 }]);
    w.settle();
    const moved = passAt(w, at(500));
    expect(moved.transition).toBe('step-completed');
    const cond = progressingOf(moved.status);
    expect(cond).toMatchObject({ reason: 'ReplicaSetUpdated', lastUpdateTime: '2026-01-01T00:08:20Z' });
    expect(cond?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    drive(w, { settle: false });
    expect(plan({ ...w.observed(), now: at(1100) }).status).toBeUndefined();
    expect(passAt(w, at(1101)).status?.phase).toBe('Degraded');
  });

  it('a manually paused rollout (spec.paused) never times out', () => {
    const w = stuck();
    w.rollout.spec.paused = true;
    drive(w, { settle: false });
    const p = plan({ ...w.observed(), now: at(86_400) });
    expect(p.status).toBeUndefined();
    expect(p.requeueAfterSeconds).toBeUndefined();
  });

  it('a rollout waiting at a pause step never times out', () => {
    const w = new World('host');
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    expect(w.rollout.status?.phase).toBe('Paused');
    const p = plan({ ...w.observed(), now: at(86_400) });
    expect(p.status).toBeUndefined();
    expect(p.requeueAfterSeconds).toBeUndefined();
  });

  it('an aborted rollout is not judged against the deadline', () => {
    const w = stuck();
    w.setStatus({ abort: true });
    drive(w, { settle: false });
    const p = plan({ ...w.observed(), now: at(86_400) });
    expect(progressingOf(p.status ?? w.rollout.status)?.reason).toBe('RolloutAborted');
  });

  it('with progressDeadlineAbort the timeout marks the rollout aborted, then the next pass aborts it', () => {
    const w = stuck({ progressDeadlineAbort: true });
    const rev1 = w.rollout.status?.stableRS;
    const rsName = `demo-${w.rollout.status?.currentPodHash}`;
    const timeout = `ReplicaSet "${rsName}" has timed out progressing.`;

    const first = passAt(w, at(601));
    expect(first.effects).toEqual([]);
    expect(first.events).toEqual([{ type: 'Warning', reason: 'RolloutAborted', message: timeout }]);
    expect(first.status?.abort).toBe(true);
    expect(first.status?.abortedAt).toBeUndefined();
    expect(progressingOf(first.status)?.reason).toBe('ProgressDeadlineExceeded');
    expect(first.status?.message).toBe(`ProgressDeadlineExceeded: ${timeout}`);

    const second = passAt(w, at(601));
    expect(second.transition).toBe('aborted');
    expect(second.events.map((e) => [e.type, e.reason, e.message])).toContainEqual([
      'Warning',
      'RolloutAborted',
      'Rollout aborted update to revision 2',
    ]);
    drive(w, { settle: false });
    const s = w.rollout.status;
    expect(s?.abortedAt).toBe('2026-01-01T00:10:01Z');
    expect(s?.currentStepIndex).toBe(0);
    expect(s?.phase).toBe('Degraded');
    expect(s?.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
    expect(progressingOf(s)).toMatchObject({ status: 'False', reason: 'RolloutAborted' });
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 100, 'demo-canary': 0 });
    expect(w.services['demo-canary']?.spec?.selector?.[LABELS.podTemplateHash]).toBe(rev1);
    expect(plan(w.observed())).toMatchObject({ effects: [], events: [] });
  });

  it('progressDeadlineAbort set after the timeout aborts on the next pass', () => {
    const w = stuck();
    passAt(w, at(601));
    w.rollout.spec.progressDeadlineAbort = true;
    const p = passAt(w, at(700));
    expect(p.status?.abort).toBe(true);
    expect(p.events.map((e) => e.reason)).toEqual(['RolloutAborted']);
  });
});

describe('requeue while waiting for pods', () => {
  it('a step waiting for the canary ReplicaSet asks to run again after 5 s', () => {
    const w = stuck();
    const p = plan(w.observed());
    expect(p.effects).toEqual([]);
    expect(p.requeueAfterSeconds).toBe(POD_WAIT_REQUEUE_SECONDS);
  });

  it('the last step waiting for full availability before promotion asks to run again after 5 s', () => {
    const w = stuck({}, [{ setWeight: 25 }]);
    w.settle();
    drive(w, { settle: false, max: 5 });
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    expect(plan(w.observed()).requeueAfterSeconds).toBe(POD_WAIT_REQUEUE_SECONDS);
  });

  it('an abort waiting for the stable ReplicaSet asks to run again after 5 s', () => {
    const w = stuck();
    const stable = w.replicaSets.find(
      (rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === w.rollout.status?.stableRS,
    );
    if (stable) stable.status = { replicas: 4, readyReplicas: 3, availableReplicas: 3 };
    w.setStatus({ abort: true });
    drive(w, { settle: false });
    expect(plan(w.observed()).requeueAfterSeconds).toBe(POD_WAIT_REQUEUE_SECONDS);
  });

  it('a healthy rollout asks for nothing', () => {
    const w = new World('host');
    const d = drive(w);
    expect(w.rollout.status?.phase).toBe('Healthy');
    expect(d.last.requeueAfterSeconds).toBeUndefined();
  });
});

const NOW = new Date('2030-01-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace('.000Z', 'Z');
const cond = (reason: string, updatedSecondsAgo: number): RolloutCondition => ({
  type: 'Progressing',
  status: reason === 'ProgressDeadlineExceeded' || reason === 'RolloutAborted' ? 'False' : 'True',
  reason,
  message: '',
  lastUpdateTime: ago(updatedSecondsAgo),
  lastTransitionTime: ago(updatedSecondsAgo),
});
const ro = (status: RolloutStatus, spec: Partial<Rollout['spec']> = {}): Rollout => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'r', namespace: 'n' },
  spec: { replicas: 2, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } }, ...spec },
  status,
});

describe('progress helpers', () => {
  it.each<{ title: string; c: RolloutCondition | undefined; spec?: Partial<Rollout['spec']>; out: boolean }>([
    { title: 'no condition never times out', c: undefined, out: false },
    { title: 'updated 600 s ago is not yet timed out', c: cond('ReplicaSetUpdated', 600), out: false },
    { title: 'updated 601 s ago is timed out', c: cond('ReplicaSetUpdated', 601), out: true },
    {
      title: 'a custom deadline applies',
      c: cond('ReplicaSetUpdated', 61),
      spec: { progressDeadlineSeconds: 60 },
      out: true,
    },
    {
      title: 'an already exceeded deadline stays exceeded',
      c: cond('ProgressDeadlineExceeded', 0),
      out: true,
    },
    { title: 'an aborted rollout never times out', c: cond('RolloutAborted', 9999), out: false },
    { title: 'a healthy rollout never times out', c: cond('NewReplicaSetAvailable', 9999), out: false },
    { title: 'a paused condition never times out', c: cond('RolloutPaused', 9999), out: false },
  ])('timedOut: $title', ({ c, spec, out }) => {
    expect(timedOut(ro({}, spec), c, NOW)).toBe(out);
  });

  it.each<{ title: string; s: RolloutStatus; spec?: Partial<Rollout['spec']>; out: number | undefined }>([
    { title: 'one second past the deadline', s: { conditions: [cond('ReplicaSetUpdated', 100)] }, out: 501 },
    { title: 'at least 1 s once passed', s: { conditions: [cond('ReplicaSetUpdated', 900)] }, out: 1 },
    {
      title: 'none when timed out already',
      s: { conditions: [cond('ProgressDeadlineExceeded', 1)] },
      out: undefined,
    },
    {
      title: 'none when aborted',
      s: { abort: true, conditions: [cond('ReplicaSetUpdated', 1)] },
      out: undefined,
    },
    {
      title: 'none at a pause step',
      s: { currentStepIndex: 1, conditions: [cond('ReplicaSetUpdated', 1)] },
      out: undefined,
    },
    {
      title: 'none when spec.paused',
      s: { conditions: [cond('ReplicaSetUpdated', 1)] },
      spec: { paused: true },
      out: undefined,
    },
    { title: 'none without a Progressing condition', s: {}, out: undefined },
  ])('secondsUntilDeadline: $title', ({ s, spec, out }) => {
    expect(secondsUntilDeadline(ro(s, spec), s, NOW)).toBe(out);
  });

  it.each<{ title: string; prev: RolloutStatus; next: RolloutStatus; out: boolean }>([
    {
      title: 'identical counters are no progress',
      prev: { replicas: 5, updatedReplicas: 1 },
      next: { replicas: 5, updatedReplicas: 1 },
      out: false,
    },
    { title: 'more updated replicas', prev: { updatedReplicas: 1 }, next: { updatedReplicas: 2 }, out: true },
    {
      title: 'fewer old replicas',
      prev: { replicas: 6, updatedReplicas: 2 },
      next: { replicas: 5, updatedReplicas: 2 },
      out: true,
    },
    { title: 'more ready replicas', prev: { readyReplicas: 4 }, next: { readyReplicas: 5 }, out: true },
    {
      title: 'fewer ready replicas is no progress',
      prev: { readyReplicas: 5 },
      next: { readyReplicas: 4 },
      out: false,
    },
    {
      title: 'more available replicas',
      prev: { availableReplicas: 4 },
      next: { availableReplicas: 5 },
      out: true,
    },
    { title: 'a new stable ReplicaSet', prev: { stableRS: 'a' }, next: { stableRS: 'b' }, out: true },
    { title: 'another step index', prev: { currentStepIndex: 0 }, next: { currentStepIndex: 1 }, out: true },
    { title: 'other steps', prev: { currentStepHash: 'x' }, next: { currentStepHash: 'y' }, out: true },
  ])('madeProgress: $title', ({ prev, next, out }) => {
    expect(madeProgress(prev, next)).toBe(out);
  });

  it.each<{ title: string; steps: CanaryStep[]; index: number; out: boolean }>([
    { title: 'a pause step', steps: [{ pause: {} }], index: 0, out: true },
    { title: 'an analysis step', steps: [{ analysis: {} }], index: 0, out: true },
    { title: 'an experiment step', steps: [{ experiment: {} }], index: 0, out: true },
    { title: 'a setWeight step', steps: [{ setWeight: 10 }], index: 0, out: false },
    { title: 'past the last step', steps: [{ pause: {} }], index: 1, out: false },
  ])('atIndefiniteStep: $title', ({ steps, index, out }) => {
    const r = ro({ currentStepIndex: index }, { strategy: { canary: { steps } } });
    expect(atIndefiniteStep(r)).toBe(out);
  });
});
