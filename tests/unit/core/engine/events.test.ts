import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as ev from '../../../../shared/core/engine/events.js';
import type { EventRecord } from '../../../../shared/core/engine/types.js';

describe('the Event catalogue', () => {
  it.each<{ case: string; got: EventRecord; want: EventRecord }>([
    {
      case: 'scaled up',
      got: ev.scaled('reviews-6c9f', 2, 0, 3),
      want: {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up ReplicaSet reviews-6c9f (revision 2) from 0 to 3',
      },
    },
    {
      case: 'scaled down',
      got: ev.scaled('reviews-6c9f', 1, 3, 0),
      want: {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled down ReplicaSet reviews-6c9f (revision 1) from 3 to 0',
      },
    },
    {
      case: 'service switched',
      got: ev.serviceSwitched('reviews-canary', 'aaa', 'bbb'),
      want: {
        type: 'Normal',
        reason: 'SwitchService',
        message: "Switched selector for service 'reviews-canary' from 'aaa' to 'bbb'",
      },
    },
    {
      case: 'virtual service updated',
      got: ev.virtualServiceUpdated('reviews', "set to desiredWeight '20'"),
      want: {
        type: 'Normal',
        reason: 'Updated VirtualService',
        message: "VirtualService `reviews` set to desiredWeight '20'",
      },
    },
    {
      case: 'destination rule updated',
      got: ev.destinationRuleUpdated(
        'reviews',
        { subset: 'canary', hash: 'c1' },
        { subset: 'stable', hash: 's1' },
      ),
      want: {
        type: 'Normal',
        reason: 'UpdatedDestinationRule',
        message: 'DestinationRule reviews subset updated (canary: c1, stable: s1)',
      },
    },
    {
      case: 'traffic routing error',
      got: ev.trafficRoutingError('route "primary" not found'),
      want: { type: 'Warning', reason: 'TrafficRoutingError', message: 'route "primary" not found' },
    },
    {
      case: 'aborted at the progress deadline',
      got: ev.deadlineAborted('ReplicaSet "r-1" has timed out progressing.'),
      want: {
        type: 'Warning',
        reason: 'RolloutAborted',
        message: 'ReplicaSet "r-1" has timed out progressing.',
      },
    },
    {
      case: 'drift corrected',
      got: ev.driftCorrected(
        { kind: 'VirtualService', namespace: 'shop', name: 'reviews' },
        'canary 0',
        'canary 20',
      ),
      want: {
        type: 'Normal',
        reason: 'DriftCorrected',
        message:
          'VirtualService shop/reviews drifted from the committed step; restored: canary 0 -> canary 20',
      },
    },
    {
      case: 'operator action',
      got: ev.operatorActed('promote', 'cli:alice', 'step 1/4 Paused', 'step 2/4 Progressing'),
      want: {
        type: 'Normal',
        reason: 'OperatorAction',
        message: 'promote by cli:alice: step 1/4 Paused -> step 2/4 Progressing',
      },
    },
    {
      case: 'operator request claim without a fingerprint',
      got: ev.operatorRequest('abort', 'webhook:key-1', 'n0nce'),
      want: {
        type: 'Normal',
        reason: 'OperatorRequest',
        message: 'abort requested by webhook:key-1 (claim n0nce, request -)',
      },
    },
    {
      case: 'operator request claim with a fingerprint',
      got: ev.operatorRequest('abort', 'webhook:key-1', 'n0nce', 'f1'),
      want: {
        type: 'Normal',
        reason: 'OperatorRequest',
        message: 'abort requested by webhook:key-1 (claim n0nce, request f1)',
      },
    },
  ])('$case', ({ got, want }) => expect(got).toEqual(want));

  it('a claim message ends with its request tag (how a replay is told from a reused key)', () => {
    expect(ev.operatorRequest('promote', 'a', 'n', 'abc').message.endsWith(`${ev.requestTag('abc')})`)).toBe(
      true,
    );
    expect(ev.operatorRequest('promote', 'a', 'n').message.endsWith(`${ev.requestTag('abc')})`)).toBe(false);
  });

  it('the catalogues (engine, analysis) are the only places in shared/ and functions/ that spell an Event type', () => {
    const root = join(process.cwd());
    const files = ['shared', 'functions'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f)),
    );
    const offenders = files
      .filter((f) => f !== join('shared', 'core', 'engine', 'events.ts'))
      .filter((f) => f !== join('shared', 'core', 'analysis', 'events.ts'))
      .filter((f) => /type: '(Normal|Warning)'(?!\s*\|)/.test(readFileSync(join(root, f), 'utf8')));
    expect(files.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});

const w = (canary: number) => ({
  canary: { weight: canary, podTemplateHash: 'b', serviceName: 'c' },
  stable: { weight: 100 - canary, podTemplateHash: 'a', serviceName: 's' },
});

describe('the Event catalogue: step, pause, abort, revision and weight Events', () => {
  it.each<{ case: string; got: EventRecord; want: EventRecord }>([
    {
      case: 'step completed',
      got: ev.stepCompleted(2, 4, 'pause'),
      want: { type: 'Normal', reason: 'RolloutStepCompleted', message: 'Rollout step 2/4 completed (pause)' },
    },
    {
      case: 'paused',
      got: ev.paused('CanaryPauseStep'),
      want: { type: 'Normal', reason: 'RolloutPaused', message: 'Rollout is paused (CanaryPauseStep)' },
    },
    {
      case: 'resumed',
      got: ev.resumed(),
      want: { type: 'Normal', reason: 'RolloutResumed', message: 'Rollout is resumed' },
    },
    {
      case: 'aborted is a warning',
      got: ev.aborted(3),
      want: { type: 'Warning', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 3' },
    },
    {
      case: 'completed',
      got: ev.completed(2, 'abc', 'Completed all 4 canary steps'),
      want: {
        type: 'Normal',
        reason: 'RolloutCompleted',
        message: 'Rollout completed update to revision 2 (abc): Completed all 4 canary steps',
      },
    },
    {
      case: 'ReplicaSet created',
      got: ev.rsCreated('demo-abc', 2),
      want: {
        type: 'Normal',
        reason: 'NewReplicaSetCreated',
        message: 'Created ReplicaSet demo-abc (revision 2)',
      },
    },
    {
      case: 'updated',
      got: ev.updated(2),
      want: { type: 'Normal', reason: 'RolloutUpdated', message: 'Rollout updated to revision 2' },
    },
    {
      case: 'skip steps',
      got: ev.skipSteps(),
      want: { type: 'Normal', reason: 'SkipSteps', message: 'Rollback to stable ReplicaSets' },
    },
    {
      case: 'invalid spec is a warning',
      got: ev.invalidSpec('The Rollout "demo" is invalid: x'),
      want: { type: 'Warning', reason: 'InvalidSpec', message: 'The Rollout "demo" is invalid: x' },
    },
    {
      case: 'first weight',
      got: ev.trafficWeightUpdated(undefined, w(25)),
      want: { type: 'Normal', reason: 'TrafficWeightUpdated', message: 'Traffic weight updated to 25' },
    },
    {
      case: 'weight change',
      got: ev.trafficWeightUpdated(w(25), w(50)),
      want: {
        type: 'Normal',
        reason: 'TrafficWeightUpdated',
        message: 'Traffic weight updated from 25 to 50',
      },
    },
    {
      case: 'same canary weight (other fields moved)',
      got: ev.trafficWeightUpdated(w(50), { ...w(50), stable: { ...w(50).stable, podTemplateHash: 'z' } }),
      want: { type: 'Normal', reason: 'TrafficWeightUpdated', message: 'Traffic weight updated ' },
    },
  ])('$case', ({ got, want }) => {
    expect(got).toEqual(want);
  });
});
