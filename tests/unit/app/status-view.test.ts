import { describe, expect, it } from '@jest/globals';
import {
  describeRollout,
  displayPhase,
  formatStatus,
  type RolloutView,
} from '../../../shared/app/status-view.js';
import { ANNOTATIONS, LABELS, type KubeObject, type Rollout } from '../../../shared/core/model/types.js';
import { NS, rollout } from './fixtures.js';
import { MemoryGateway } from './memory-gateway.js';

function replicaSet(name: string, hash: string | undefined, annotations: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: NS,
      ...(hash ? { labels: { [LABELS.podTemplateHash]: hash } } : {}),
      annotations,
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'reviews', uid: 'uid-reviews' },
      ],
    },
    spec: {
      replicas: 2,
      template: { spec: { containers: [{ image: `img:${name}` }, { name: 'no-image' }] } },
    },
    status: { readyReplicas: 1, availableReplicas: 1 },
  } as unknown as KubeObject;
}

function event(name: string, at: string | undefined, uid = 'uid-reviews'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: NS },
    involvedObject: { uid },
    reason: `R-${name}`,
    message: `m-${name}`,
    ...(at ? { lastTimestamp: at } : {}),
  } as unknown as KubeObject;
}

async function viewOf(r: Rollout, extra: KubeObject[] = [], maxEvents?: number): Promise<RolloutView> {
  const gw = new MemoryGateway();
  gw.put('rollouts', r);
  for (const o of extra) gw.put(o.kind === 'Event' ? 'events' : 'replicasets', o);
  const view = await describeRollout(gw, NS, 'reviews', maxEvents);
  if (!view) throw new Error('no view');
  return view;
}

describe('displayPhase', () => {
  const withStatus = (status: Rollout['status'], generation = 1): Rollout => {
    const r = rollout(status);
    r.metadata.generation = generation;
    return r;
  };
  it.each<[string, Rollout, { phase: string; message: string }]>([
    [
      'generation not yet observed',
      withStatus({ observedGeneration: '1', phase: 'Healthy' }, 2),
      { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' },
    ],
    [
      'a non-numeric observedGeneration is ignored',
      withStatus({ observedGeneration: 'abc', phase: 'Healthy' }, 2),
      { phase: 'Healthy', message: '' },
    ],
    [
      'controllerPause without pause conditions',
      withStatus({ controllerPause: true, phase: 'Paused' }),
      { phase: 'Progressing', message: 'waiting for rollout to unpause' },
    ],
    [
      'controllerPause with a pause condition',
      withStatus({
        controllerPause: true,
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }],
        phase: 'Paused',
        message: 'CanaryPauseStep',
      }),
      { phase: 'Paused', message: 'CanaryPauseStep' },
    ],
    ['no status', withStatus(undefined), { phase: 'Progressing', message: '' }],
  ])('%s', (_, r, expected) => {
    expect(displayPhase(r)).toEqual(expected);
  });
});

describe('describeRollout', () => {
  it('is undefined for a missing Rollout', async () => {
    expect(await describeRollout(new MemoryGateway(), NS, 'reviews')).toBeUndefined();
  });

  it('shows steps, weights, owned ReplicaSets newest first and recent Events', async () => {
    const r = rollout({
      currentStepIndex: 1,
      stableRS: 'aaa',
      currentPodHash: 'bbb',
      replicas: 3,
      canary: {
        weights: {
          canary: { weight: 20, podTemplateHash: 'bbb' },
          stable: { weight: 80, podTemplateHash: 'aaa' },
        },
      },
      conditions: [{ type: 'Available', status: 'True', reason: 'AvailableReason', message: 'ok' }],
    } as Rollout['status']);
    const foreign = replicaSet('other', 'ccc', {});
    (foreign.metadata as { ownerReferences?: unknown[] }).ownerReferences = [];
    const view = await viewOf(
      r,
      [
        replicaSet('reviews-aaa', 'aaa', { [ANNOTATIONS.revision]: '1' }),
        replicaSet('reviews-bbb', 'bbb', {
          [ANNOTATIONS.revision]: '2',
          [ANNOTATIONS.scaleDownDeadline]: '2026-01-01T00:00:00Z',
        }),
        replicaSet('reviews-old', undefined, { [ANNOTATIONS.revision]: 'x' }),
        foreign,
        event('e2', '2026-01-01T00:00:02Z'),
        event('e1', '2026-01-01T00:00:01Z'),
        event('e0', undefined),
        event('elsewhere', '2026-01-01T00:00:03Z', 'uid-other'),
      ],
      2,
    );
    expect(view).toMatchObject({
      phase: 'Progressing',
      strategy: 'Canary',
      step: { index: 1, total: 3 },
      setWeight: 20,
      actualWeight: 20,
      stableRS: 'aaa',
      currentPodHash: 'bbb',
      replicas: { desired: 2, current: 3, updated: 0, ready: 0, available: 0 },
      conditions: [{ type: 'Available', status: 'True', reason: 'AvailableReason', message: 'ok' }],
    });
    expect(view.steps.map((s) => [s.text, s.current, s.done])).toEqual([
      ['setWeight: 20', false, true],
      ['pause', true, false],
      ['setWeight: 50', false, false],
    ]);
    expect(view.replicaSets).toEqual([
      {
        name: 'reviews-bbb',
        hash: 'bbb',
        revision: 2,
        replicas: 2,
        ready: 1,
        available: 1,
        tags: ['canary'],
        scaleDownDeadline: '2026-01-01T00:00:00Z',
        images: ['img:reviews-bbb'],
      },
      {
        name: 'reviews-aaa',
        hash: 'aaa',
        revision: 1,
        replicas: 2,
        ready: 1,
        available: 1,
        tags: ['stable'],
        images: ['img:reviews-aaa'],
      },
      { name: 'reviews-old', replicas: 2, ready: 1, available: 1, tags: [], images: ['img:reviews-old'] },
    ]);
    expect(view.events.map((e) => [e.reason, e.type, e.count, e.lastTimestamp])).toEqual([
      ['R-e1', 'Normal', 1, '2026-01-01T00:00:01Z'],
      ['R-e2', 'Normal', 1, '2026-01-01T00:00:02Z'],
    ]);
  });

  it.each<[string, Rollout['status'], number, number]>([
    ['past the last step: 100', { currentStepIndex: 3 }, 100, 100],
    ['aborted past the last step: the canary weight', { currentStepIndex: 3, abort: true }, 0, 0],
    ['no step index: the canary weight', {}, 20, 0],
  ])('actual weight %s', async (_, status, setWeight, actualWeight) => {
    const view = await viewOf(rollout(status));
    expect([view.setWeight, view.actualWeight]).toEqual([setWeight, actualWeight]);
  });

  it.each<[string, Rollout['spec']['strategy'], RolloutView['strategy']]>([
    ['blue-green', { blueGreen: {} } as Rollout['spec']['strategy'], 'BlueGreen'],
    ['neither', {} as Rollout['spec']['strategy'], 'Unknown'],
  ])('strategy %s', async (_, strategy, expected) => {
    const r = rollout();
    r.spec.strategy = strategy;
    delete r.spec.replicas;
    const view = await viewOf(r);
    expect([view.strategy, view.steps, view.replicas.desired, view.step]).toEqual([
      expected,
      [],
      1,
      undefined,
    ]);
  });
});

describe('formatStatus', () => {
  const base: RolloutView = {
    namespace: NS,
    name: 'reviews',
    phase: 'Paused',
    message: '',
    strategy: 'Canary',
    steps: [],
    setWeight: 0,
    actualWeight: 0,
    replicas: { desired: 1, current: 1, updated: 1, ready: 1, available: 1 },
    replicaSets: [],
    conditions: [],
    events: [],
    analysisRuns: [],
  };

  it('leaves out empty sections', () => {
    expect(formatStatus(base)).toBe(
      [
        'Name:           reviews',
        'Namespace:      shop',
        'Status:         Paused',
        'Strategy:       Canary',
        '  SetWeight:    0',
        '  ActualWeight: 0',
        'Replicas:',
        '  Desired:      1',
        '  Current:      1',
        '  Updated:      1',
        '  Ready:        1',
        '  Available:    1',
        '',
        'NAME                                     REVISION  DESIRED  READY  AVAILABLE  INFO',
      ].join('\n'),
    );
  });

  it('renders every section', () => {
    const text = formatStatus({
      ...base,
      message: 'CanaryPauseStep',
      step: { index: 1, total: 2 },
      steps: [
        { index: 0, text: 'setWeight: 20', current: false, done: true },
        { index: 1, text: 'pause', current: true, done: false },
        { index: 2, text: 'setWeight: 50', current: false, done: false },
      ],
      replicaSets: [
        {
          name: 'reviews-bbb',
          revision: 2,
          replicas: 1,
          ready: 1,
          available: 0,
          tags: ['canary'],
          scaleDownDeadline: 'soon',
          images: ['img:2', 'side:1'],
        },
        { name: 'reviews-old', replicas: 0, ready: 0, available: 0, tags: [], images: ['img:0'] },
      ],
      conditions: [
        { type: 'Paused', status: 'True', reason: 'CanaryPauseStep', message: 'paused' },
        { type: 'Available', status: 'True', reason: 'AvailableReason' } as RolloutView['conditions'][number],
      ],
      events: [
        { type: 'Normal', reason: 'RolloutPaused', message: 'paused', count: 1, lastTimestamp: 't1' },
        { type: 'Warning', reason: 'X', message: 'y', count: 2 },
      ],
    });
    expect(text.split('\n')).toEqual([
      'Name:           reviews',
      'Namespace:      shop',
      'Status:         Paused',
      'Message:        CanaryPauseStep',
      'Strategy:       Canary',
      '  Step:         1/2',
      '  SetWeight:    0',
      '  ActualWeight: 0',
      'Images:         img:2 (canary)',
      '                side:1 (canary)',
      '                img:0',
      'Replicas:',
      '  Desired:      1',
      '  Current:      1',
      '  Updated:      1',
      '  Ready:        1',
      '  Available:    1',
      '',
      'STEPS',
      '  ✔ 0: setWeight: 20',
      '  > 1: pause',
      '    2: setWeight: 50',
      '',
      'NAME                                     REVISION  DESIRED  READY  AVAILABLE  INFO',
      'reviews-bbb                              rev:2     1        1      0          canary,delay: soon',
      'reviews-old                              rev:?     0        0      0          ',
      '',
      'CONDITIONS',
      '  Paused=True CanaryPauseStep: paused',
      '  Available=True AvailableReason',
      '',
      'EVENTS',
      '  t1 Normal RolloutPaused: paused',
      '   Warning X: y',
    ]);
  });
});
