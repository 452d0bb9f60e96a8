import { describe, it, expect } from '@jest/globals';
import { dueReason, isDue, pauseDurationSeconds, waitingRuns } from '../../../../shared/core/engine/due.js';
import type {
  AnalysisPhase,
  AnalysisRun,
  AnalysisRunStatus,
  Metric,
  MetricResult,
} from '../../../../shared/core/analysis/types.js';
import type { Rollout, RolloutStatus, RolloutSpec } from '../../../../shared/core/model/types.js';

const NOW = new Date('2030-01-01T12:00:00Z');
const secondsAgo = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString();

const STEPS = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 50 },
  { pause: { duration: '10m' } },
  { setWeight: 80 },
];

/** A Rollout at generation 2, fully observed, sitting Healthy; each case overrides what it needs. */
function rollout(
  status: Partial<RolloutStatus> | undefined,
  spec: Partial<RolloutSpec> = {},
  generation = 2,
): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'reviews', namespace: 'shop', generation },
    spec: { replicas: 4, strategy: { canary: { steps: STEPS } }, ...spec },
    status:
      status === undefined
        ? undefined
        : {
            observedGeneration: '2',
            currentPodHash: 'abc',
            stableRS: 'abc',
            currentStepIndex: STEPS.length,
            phase: 'Healthy',
            replicas: 4,
            conditions: [],
            ...status,
          },
  };
}

const pausedAt = (index: number, startedSecondsAgo: number): Partial<RolloutStatus> => ({
  currentPodHash: 'new',
  stableRS: 'abc',
  currentStepIndex: index,
  phase: 'Paused',
  controllerPause: true,
  pauseConditions: [{ reason: 'CanaryPauseStep', startTime: secondsAgo(startedSecondsAgo) }],
});

/** A canary at a setWeight step waiting for its pods. */
const waiting: Partial<RolloutStatus> = { currentPodHash: 'new', currentStepIndex: 0, phase: 'Progressing' };

describe('dueReason', () => {
  it.each<{ title: string; r: Rollout; reason: string | undefined }>([
    { title: 'a Rollout never reconciled is due', r: rollout(undefined), reason: 'never reconciled' },
    { title: 'a healthy, fully observed Rollout is not due', r: rollout({}), reason: undefined },
    {
      title: 'a spec change (generation ahead of observedGeneration) is due',
      r: rollout({}, {}, 3),
      reason: 'spec changed (generation 3, observed 2)',
    },
    {
      title: 'a missing observedGeneration is due',
      r: rollout({ observedGeneration: undefined }),
      reason: 'spec changed (generation 2, observed none)',
    },
    { title: 'an indefinite pause is not due', r: rollout(pausedAt(1, 3600)), reason: undefined },
    { title: 'a timed pause still running is not due', r: rollout(pausedAt(3, 599)), reason: undefined },
    {
      title: 'a timed pause at its recorded end is not due yet (the true start may be up to 1 s later)',
      r: rollout(pausedAt(3, 600.999)),
      reason: undefined,
    },
    {
      title: 'a timed pause one second past its recorded end is due',
      r: rollout(pausedAt(3, 601)),
      reason: 'timed pause expired',
    },
    {
      title: 'a pause step the engine has not started is due',
      r: rollout({ ...pausedAt(1, 0), pauseConditions: [], controllerPause: false, phase: 'Progressing' }),
      reason: 'pause step not started',
    },
    {
      title: 'a promotion (pauseConditions cleared while controllerPause) is due',
      r: rollout({ ...pausedAt(1, 10), pauseConditions: undefined }),
      reason: 'promotion requested',
    },
    {
      title: 'a full promotion not yet reflected is due',
      r: rollout({ ...pausedAt(1, 10), promoteFull: true }),
      reason: 'full promotion requested',
    },
    {
      title: 'a full promotion already reflected (stable = current) is not due',
      r: rollout({ promoteFull: true }),
      reason: undefined,
    },
    {
      title: 'an abort not yet reflected is due',
      r: rollout({ ...pausedAt(1, 10), abort: true }),
      reason: 'abort requested',
    },
    {
      title: 'an abort already reflected is not due',
      r: rollout({ ...pausedAt(1, 10), abort: true, abortedAt: secondsAgo(5), phase: 'Degraded' }),
      reason: undefined,
    },
    {
      title: 'a retry (abort cleared, abortedAt still set) is due',
      r: rollout({ ...pausedAt(1, 10), abortedAt: secondsAgo(5) }),
      reason: 'retry requested',
    },
    {
      title: 'a canary waiting for readiness is due',
      r: rollout({ currentPodHash: 'new', currentStepIndex: 0, phase: 'Progressing' }),
      reason: 'progressing (waiting for readiness)',
    },
    {
      title: 'a manually paused Rollout (spec.paused) is not due',
      r: rollout({ currentPodHash: 'new', currentStepIndex: 0, phase: 'Paused' }, { paused: true }),
      reason: undefined,
    },
    {
      title: 'old pods past the scale-down delay are due',
      r: rollout({ replicas: 6, conditions: [condition(31)] }),
      reason: 'scale-down deadline passed',
    },
    {
      title: 'old pods within the scale-down delay are not due',
      r: rollout({ replicas: 6, conditions: [condition(29)] }),
      reason: undefined,
    },
    {
      title: 'a custom scaleDownDelaySeconds is honoured',
      r: rollout(
        { replicas: 6, conditions: [condition(100)] },
        { strategy: { canary: { steps: STEPS, scaleDownDelaySeconds: 120 } } },
      ),
      reason: undefined,
    },
    {
      title: 'an aborted Rollout with abortScaleDownDelaySeconds 0 never scales down',
      r: rollout(
        {
          replicas: 8,
          abort: true,
          abortedAt: secondsAgo(900),
          phase: 'Degraded',
          conditions: [condition(900)],
        },
        { strategy: { canary: { steps: STEPS, abortScaleDownDelaySeconds: 0 } } },
      ),
      reason: undefined,
    },
    {
      title: 'a canary past the progress deadline (600 s since the last progress) is due',
      r: rollout({ ...waiting, conditions: [progressingCond('ReplicaSetUpdated', 601)] }),
      reason: 'progress deadline passed',
    },
    {
      title: 'a custom progressDeadlineSeconds is honoured',
      r: rollout(
        { ...waiting, conditions: [progressingCond('ReplicaSetUpdated', 61)] },
        { progressDeadlineSeconds: 60 },
      ),
      reason: 'progress deadline passed',
    },
    {
      title: 'a canary within the progress deadline is due only as progressing',
      r: rollout({ ...waiting, conditions: [progressingCond('ReplicaSetUpdated', 600)] }),
      reason: 'progressing (waiting for readiness)',
    },
    {
      title: 'a timed-out rollout stays due, to see pods that became available since',
      r: rollout({
        ...waiting,
        phase: 'Degraded',
        conditions: [progressingCond('ProgressDeadlineExceeded', 5)],
      }),
      reason: 'progress deadline exceeded: checking for progress',
    },
    {
      title: 'an aborted rollout is not judged against the deadline',
      r: rollout({
        ...waiting,
        abort: true,
        abortedAt: secondsAgo(900),
        phase: 'Degraded',
        conditions: [progressingCond('RolloutAborted', 900)],
      }),
      reason: undefined,
    },
    {
      title: 'a rollout at a pause step does not time out',
      r: rollout({ ...pausedAt(1, 3600), conditions: [progressingCond('ReplicaSetUpdated', 3600)] }),
      reason: undefined,
    },
    {
      title: 'a manually paused rollout (spec.paused) does not time out',
      r: rollout(
        { ...waiting, phase: 'Paused', conditions: [progressingCond('ReplicaSetUpdated', 3600)] },
        { paused: true },
      ),
      reason: undefined,
    },
    {
      title: 'a current AnalysisRun still running is due (each tick measures what is due)',
      r: rollout({
        currentPodHash: 'new',
        currentStepIndex: 2,
        phase: 'Paused',
        canary: { currentStepAnalysisRunStatus: { name: 'r-new-2-1', status: 'Running' } },
      }),
      reason: 'AnalysisRun r-new-2-1 in progress',
    },
    {
      title: 'a just created AnalysisRun (status "") is due',
      r: rollout({
        currentPodHash: 'new',
        phase: 'Paused',
        canary: { currentBackgroundAnalysisRunStatus: { name: 'r-new-2', status: '' } },
      }),
      reason: 'AnalysisRun r-new-2 in progress',
    },
    {
      title: 'a completed AnalysisRun is not due',
      r: rollout({
        currentPodHash: 'new',
        phase: 'Paused',
        canary: { currentStepAnalysisRunStatus: { name: 'r-new-2-1', status: 'Successful' } },
      }),
      reason: undefined,
    },
    {
      title: 'a Rollout paused by an Inconclusive run is not due',
      r: rollout({
        currentPodHash: 'new',
        phase: 'Paused',
        pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: secondsAgo(5) }],
        canary: { currentBackgroundAnalysisRunStatus: { name: 'r-new-2', status: 'Running' } },
      }),
      reason: undefined,
    },
    {
      title: 'a healthy rollout with an old Progressing condition is not due',
      r: rollout({ conditions: [progressingCond('NewReplicaSetAvailable', 86_400)] }),
      reason: undefined,
    },
    {
      title: 'a healthy Rollout with a workloadRef is due on every tick (its Deployment may have changed)',
      r: ((): Rollout => {
        const r = rollout({});
        r.spec['workloadRef'] = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' };
        return r;
      })(),
      reason: 'workloadRef: its Deployment may have changed',
    },
  ])('$title', ({ r, reason }) => {
    expect(dueReason(r, NOW)).toBe(reason);
    expect(isDue(r, NOW)).toBe(reason !== undefined);
  });
});

function progressingCond(reason: string, updatedSecondsAgo: number) {
  const t = secondsAgo(updatedSecondsAgo);
  const status = reason === 'ProgressDeadlineExceeded' || reason === 'RolloutAborted' ? 'False' : 'True';
  return {
    type: 'Progressing',
    status,
    reason,
    message: '',
    lastUpdateTime: t,
    lastTransitionTime: t,
  } as const;
}

function condition(updatedSecondsAgo: number) {
  const t = secondsAgo(updatedSecondsAgo);
  return {
    type: 'Completed',
    status: 'True' as const,
    reason: 'RolloutCompleted',
    message: '',
    lastUpdateTime: t,
    lastTransitionTime: t,
  };
}

describe('pauseDurationSeconds', () => {
  it.each<{ title: string; input: number | string | undefined; seconds: number | undefined }>([
    { title: 'an integer is seconds', input: 30, seconds: 30 },
    { title: 'a numeric string is seconds', input: '45', seconds: 45 },
    { title: 'a Go duration in minutes', input: '10m', seconds: 600 },
    { title: 'a compound Go duration', input: '1h30m5s', seconds: 5405 },
    { title: 'a fractional Go duration', input: '1.5h', seconds: 5400 },
    { title: 'milliseconds', input: '500ms', seconds: 0.5 },
    { title: 'an unknown unit is rejected', input: '3d', seconds: undefined },
    { title: 'trailing garbage is rejected', input: '10mx', seconds: undefined },
    { title: 'an empty string is rejected', input: '', seconds: undefined },
    { title: 'a negative number is rejected', input: -1, seconds: undefined },
  ])('$title', ({ input, seconds }) => {
    expect(pauseDurationSeconds(input)).toBe(seconds);
  });
});

describe('dueReason with the current AnalysisRun read: due when its next measurement time has come', () => {
  const analysing = rollout({
    currentPodHash: 'new',
    currentStepIndex: 2,
    phase: 'Progressing',
    canary: { currentStepAnalysisRunStatus: { name: 'r-new-2-1', status: 'Running' } },
  });
  // A Rollout whose only work is its analysis: not progressing (a step run waits in the status, nothing else moves).
  const idle: Rollout = { ...analysing, status: { ...analysing.status!, phase: 'Paused' } };
  const metric = (extra: Partial<Metric> = {}): Metric => ({
    name: 'success-rate',
    interval: '60s',
    count: 5,
    provider: { prometheus: { address: 'http://p', query: 'q' } },
    ...extra,
  });
  const measured = (finishedSecondsAgo: number, phase: AnalysisPhase = 'Successful'): MetricResult => ({
    name: 'success-rate',
    phase: 'Running',
    count: 1,
    successful: phase === 'Successful' ? 1 : 0,
    error: phase === 'Error' ? 1 : 0,
    measurements: [
      { phase, startedAt: secondsAgo(finishedSecondsAgo), finishedAt: secondsAgo(finishedSecondsAgo) },
    ],
  });
  const run = (
    status: AnalysisRunStatus | undefined,
    spec: Partial<AnalysisRun['spec']> = {},
  ): AnalysisRun => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'r-new-2-1', namespace: 'shop' },
    spec: { metrics: [metric()], ...spec },
    ...(status ? { status } : {}),
  });
  const running = (results: MetricResult[]): AnalysisRunStatus => ({
    phase: 'Running',
    startedAt: secondsAgo(300),
    metricResults: results,
  });

  it.each<{ title: string; run: AnalysisRun | undefined; reason: string | undefined }>([
    {
      title: 'the last measurement 30 s ago, interval 60 s: not due (the bug: every tick called it due)',
      run: run(running([measured(30)])),
      reason: undefined,
    },
    {
      title: 'the last measurement exactly one interval ago: not yet (due strictly after)',
      run: run(running([measured(60)])),
      reason: undefined,
    },
    {
      title: 'the last measurement 61 s ago: due',
      run: run(running([measured(61)])),
      reason: 'AnalysisRun r-new-2-1: measurement due',
    },
    {
      title: 'an Error 5 s ago is retried after 10 s, whatever the interval: not yet',
      run: run(running([measured(5, 'Error')])),
      reason: undefined,
    },
    {
      title: 'an Error 11 s ago: due',
      run: run(running([measured(11, 'Error')])),
      reason: 'AnalysisRun r-new-2-1: measurement due',
    },
    {
      title: 'started, the initialDelay (2m) still running: not due',
      run: run(
        { phase: 'Running', startedAt: secondsAgo(60) },
        { metrics: [metric({ initialDelay: '2m' })] },
      ),
      reason: undefined,
    },
    {
      title: 'started, the initialDelay (2m) over: due',
      run: run(
        { phase: 'Running', startedAt: secondsAgo(121) },
        { metrics: [metric({ initialDelay: '2m' })] },
      ),
      reason: 'AnalysisRun r-new-2-1: measurement due',
    },
    {
      title: 'no measurement and no initialDelay: due at once',
      run: run({ phase: 'Running', startedAt: secondsAgo(1) }),
      reason: 'AnalysisRun r-new-2-1: measurement due',
    },
    {
      title: 'never started (no status yet): due',
      run: run(undefined),
      reason: 'AnalysisRun r-new-2-1: not started',
    },
    {
      title: 'completed while the Rollout still says Running: due (the Rollout reacts)',
      run: run({ ...running([measured(30)]), phase: 'Failed' }),
      reason: 'AnalysisRun r-new-2-1: completed (Failed)',
    },
    {
      title: 'terminating: due',
      run: run(running([measured(30)]), { terminate: true }),
      reason: 'AnalysisRun r-new-2-1: terminating',
    },
    {
      title: 'an in-flight measurement whose resumeAt has passed: due',
      run: run(
        running([
          {
            name: 'success-rate',
            phase: 'Running',
            measurements: [{ phase: 'Running', startedAt: secondsAgo(40), resumeAt: secondsAgo(1) }],
          },
        ]),
      ),
      reason: 'AnalysisRun r-new-2-1: measurement due',
    },
    {
      title: 'a run the caller could not read: due (errs on the side of due)',
      run: undefined,
      reason: 'AnalysisRun r-new-2-1 in progress',
    },
  ])('$title', ({ run: found, reason }) => {
    const lookup = (name: string): AnalysisRun | undefined => (name === 'r-new-2-1' ? found : undefined);
    expect(dueReason(idle, NOW, lookup)).toBe(reason);
    expect(isDue(idle, NOW, lookup)).toBe(reason !== undefined);
  });

  it("the Rollout's own work still makes it due while its run waits for its next measurement", () => {
    const lookup = (): AnalysisRun => run(running([measured(30)]));
    expect(dueReason(analysing, NOW, lookup)).toBe('progressing (waiting for readiness)');
  });

  it('waitingRuns names the unfinished current runs, none while aborted or paused by an operator', () => {
    expect(waitingRuns(idle)).toEqual(['r-new-2-1']);
    expect(waitingRuns({ ...idle, status: { ...idle.status!, abort: true } })).toEqual([]);
    expect(waitingRuns({ ...idle, spec: { ...idle.spec, paused: true } })).toEqual([]);
  });
});
