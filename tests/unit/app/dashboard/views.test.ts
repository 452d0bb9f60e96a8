import { describe, expect, it } from '@jest/globals';
import { fleetRow, waitingFor, weightHistory } from '../../../../shared/app/http-api/dashboard/views.js';
import type { RolloutView } from '../../../../shared/app/status-view.js';
import { trafficWeightOf, trafficWeightUpdated } from '../../../../shared/core/engine/events.js';
import type { Rollout, RolloutStatus } from '../../../../shared/core/model/types.js';
import { rollout } from '../fixtures.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const steps = [{ setWeight: 20 }, { pause: { duration: '30s' } }, { setWeight: 50 }, { pause: {} }];

function withSteps(status: RolloutStatus, paused = false): Rollout {
  const r = rollout(status);
  (r.spec!.strategy!.canary as { steps: unknown[] }).steps = steps;
  if (paused) r.spec!.paused = true;
  return r;
}

function view(r: Rollout, extra: Partial<RolloutView> = {}): RolloutView {
  const index = r.status?.currentStepIndex;
  return {
    namespace: 'shop',
    name: 'reviews',
    phase: r.status?.phase ?? 'Progressing',
    message: '',
    strategy: 'Canary',
    ...(index === undefined ? {} : { step: { index, total: steps.length } }),
    steps: steps.map((_, i) => ({ index: i, text: '', current: i === index, done: i < (index ?? 0) })),
    setWeight: 0,
    actualWeight: 0,
    replicas: { desired: 2, current: 2, updated: 1, ready: 2, available: 2 },
    replicaSets: [],
    conditions: [],
    events: [],
    analysisRuns: [],
    ...extra,
  };
}

const pauseAt = (start: string) => [{ reason: 'CanaryPauseStep', startTime: start }];
const weights = (canary: number) => ({
  weights: { canary: { weight: canary }, stable: { weight: 100 - canary } },
});

describe('fleetRow: the marks and the weight', () => {
  it.each([
    ['a canary at 20%', { currentStepIndex: 0, phase: 'Progressing', canary: weights(20) }, 20, []],
    [
      'paused for promotion at the indefinite pause',
      {
        currentStepIndex: 3,
        phase: 'Paused',
        pauseConditions: pauseAt('2026-06-01T11:59:00Z'),
        canary: weights(50),
      },
      50,
      ['paused-for-promotion'],
    ],
    [
      'a timed pause is not a promotion wait',
      {
        currentStepIndex: 1,
        phase: 'Paused',
        pauseConditions: pauseAt('2026-06-01T11:59:50Z'),
        canary: weights(20),
      },
      20,
      [],
    ],
    [
      'aborted and degraded',
      { currentStepIndex: 2, phase: 'Degraded', abort: true, canary: weights(0) },
      0,
      ['degraded', 'aborted'],
    ],
    [
      'complete: 100% on the new version',
      { currentStepIndex: 4, phase: 'Healthy', canary: weights(0) },
      100,
      [],
    ],
  ] as const)('%s', (_title, status, weight, marks) => {
    const row = fleetRow('eu-1', withSteps(status as RolloutStatus));
    expect(row).toMatchObject({ cluster: 'eu-1', namespace: 'shop', name: 'reviews', weight, marks });
  });

  it('dates the current step from its pause, else from the last condition change', () => {
    expect(
      fleetRow('c', withSteps({ currentStepIndex: 3, pauseConditions: pauseAt('2026-06-01T11:00:00Z') }))
        .since,
    ).toBe('2026-06-01T11:00:00Z');
    const cond = (t: string) => ({
      type: 'Progressing',
      status: 'True' as const,
      reason: '',
      message: '',
      lastUpdateTime: t,
      lastTransitionTime: t,
    });
    const r = withSteps({
      currentStepIndex: 0,
      conditions: [cond('2026-06-01T10:00:00Z'), cond('2026-06-01T10:05:00Z')],
    });
    expect(fleetRow('c', r).since).toBe('2026-06-01T10:05:00Z');
    expect(fleetRow('c', withSteps({})).since).toBeUndefined();
  });
});

describe('waitingFor: what the current step waits for', () => {
  it.each([
    [
      'an indefinite pause',
      { currentStepIndex: 3, phase: 'Paused', pauseConditions: pauseAt('2026-06-01T11:00:00Z') },
      {},
      'a promotion',
    ],
    [
      'a timed pause',
      { currentStepIndex: 1, phase: 'Paused', pauseConditions: pauseAt('2026-06-01T11:59:50Z') },
      {},
      'the pause to end (20s left of 30s)',
    ],
    [
      'a timed pause past its end',
      { currentStepIndex: 1, phase: 'Paused', pauseConditions: pauseAt('2026-06-01T11:00:00Z') },
      {},
      'the pause to end (0s left of 30s)',
    ],
    [
      'a timed pause not started',
      { currentStepIndex: 1, phase: 'Progressing' },
      {},
      'a pause of 30s to start',
    ],
    [
      'canary pods',
      { currentStepIndex: 0, phase: 'Progressing' },
      {
        replicaSets: [
          { name: 'c', replicas: 2, ready: 1, available: 1, tags: ['canary' as const], images: [] },
        ],
      },
      'canary pods (1/2 available)',
    ],
    [
      'an aborted rollout',
      { currentStepIndex: 2, phase: 'Degraded', abort: true },
      {},
      'a retry (the rollout was aborted)',
    ],
    ['a complete rollout', { currentStepIndex: 4, phase: 'Healthy' }, {}, 'nothing: the rollout is complete'],
  ] as const)('%s', (_title, status, extra, text) => {
    const r = withSteps(status as RolloutStatus);
    expect(waitingFor(view(r, extra as Partial<RolloutView>), r, NOW)).toBe(text);
  });

  it('a rollout paused by an operator waits for a resume', () => {
    const r = withSteps({ currentStepIndex: 0, phase: 'Paused' }, true);
    expect(waitingFor(view(r), r, NOW)).toBe('a resume (paused by an operator)');
  });
});

describe('weightHistory', () => {
  it('reads the canary weight of each TrafficWeightUpdated Event, then adds the weight now', () => {
    const ev = (reason: string, message: string, at: string) => ({
      type: 'Normal',
      reason,
      message,
      count: 1,
      lastTimestamp: at,
    });
    const history = weightHistory(
      [
        ev('TrafficWeightUpdated', 'Traffic weight updated to 0', '2026-06-01T11:00:00Z'),
        ev('RolloutStepCompleted', 'Rollout step 1/4 completed (setWeight: 20)', '2026-06-01T11:01:00Z'),
        ev('TrafficWeightUpdated', 'Traffic weight updated from 0 to 20', '2026-06-01T11:01:00Z'),
        ev('TrafficWeightUpdated', 'Traffic weight updated ', '2026-06-01T11:01:30Z'),
      ],
      NOW,
      50,
    );
    expect(history).toEqual([
      { at: '2026-06-01T11:00:00Z', canary: 0, stable: 100 },
      { at: '2026-06-01T11:01:00Z', canary: 20, stable: 80 },
      { at: NOW.toISOString(), canary: 50, stable: 50 },
    ]);
  });

  it('trafficWeightOf reads back exactly what trafficWeightUpdated writes', () => {
    const w = (canary: number) => ({ canary: { weight: canary }, stable: { weight: 100 - canary } });
    expect(trafficWeightOf(trafficWeightUpdated(undefined, w(0)).message)).toBe(0);
    expect(trafficWeightOf(trafficWeightUpdated(w(20), w(50)).message)).toBe(50);
    expect(trafficWeightOf(trafficWeightUpdated(w(20), w(20)).message)).toBeUndefined();
    expect(trafficWeightOf('Traffic weight updated to 20 or so')).toBeUndefined();
  });
});
