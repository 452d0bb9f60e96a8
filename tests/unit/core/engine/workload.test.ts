/** spec.workloadRef, pure: the template resolved from the Deployment, Argo's errors, the scale-down targets, tenancy. */
import { describe, expect, it } from '@jest/globals';
import type { KubeObject, ReplicaSet, Rollout, RolloutStatus } from '../../../../shared/core/model/types.js';
import type { Observed, Plan } from '../../../../shared/core/engine/types.js';
import {
  referencedDeployment,
  resolveWorkload,
  scaleDownMode,
} from '../../../../shared/core/model/workload-ref.js';
import { deploymentScaleWrite, withWorkload } from '../../../../shared/core/engine/workload.js';
import { forbiddenWrite } from '../../../../shared/core/engine/tenancy.js';
import { podTemplateHash } from '../../../../shared/core/model/hash.js';
import { NS, rollout as baseRollout, T0 } from './support/fixtures.js';

const TEMPLATE = {
  metadata: { labels: { app: 'reviews' }, creationTimestamp: null },
  spec: { containers: [{ name: 'app', image: 'reviews:v2' }] },
};

function deployment(name = 'reviews', replicas = 4, generation = 3): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, generation, resourceVersion: '77' },
    spec: { replicas, selector: { matchLabels: { app: 'reviews' } }, template: TEMPLATE },
  } as unknown as KubeObject;
}

function refRollout(ref: Record<string, unknown> = {}, status?: RolloutStatus, revision?: string): Rollout {
  const r = baseRollout('host');
  delete r.spec.template;
  delete r.spec.selector;
  r.spec['workloadRef'] = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews', ...ref };
  if (status) r.status = status;
  if (revision) r.metadata.annotations = { 'rollout.argoproj.io/revision': revision };
  return r;
}

describe('resolveWorkload', () => {
  it('takes the template (nulls dropped) and, with none on the Rollout, the selector; the generation', () => {
    const res = resolveWorkload(refRollout(), deployment());
    if ('error' in res) throw new Error(res.error);
    expect(res.rollout.spec.template).toEqual({
      metadata: { labels: { app: 'reviews' } },
      spec: { containers: [{ name: 'app', image: 'reviews:v2' }] },
    });
    expect(res.rollout.spec.selector).toEqual({ matchLabels: { app: 'reviews' } });
    expect(res.generation).toBe(3);
    // The hash is over the resolved template: the same as a Rollout carrying that template itself.
    expect(podTemplateHash(res.rollout.spec.template ?? {})).toBe(
      podTemplateHash({ metadata: { labels: { app: 'reviews' } }, spec: TEMPLATE.spec }),
    );
  });

  it("keeps the Rollout's own selector", () => {
    const r = refRollout();
    r.spec.selector = { matchLabels: { app: 'reviews', tier: 'web' } };
    const res = resolveWorkload(r, deployment());
    expect('rollout' in res && res.rollout.spec.selector).toEqual({
      matchLabels: { app: 'reviews', tier: 'web' },
    });
  });

  it.each<[string, Rollout, KubeObject | undefined, string]>([
    ['no Deployment read', refRollout(), undefined, `deployments.apps "${NS}/reviews" not found`],
    [
      'a Deployment of another name',
      refRollout(),
      deployment('other'),
      `deployments.apps "${NS}/reviews" not found`,
    ],
    [
      'a Deployment in another namespace',
      refRollout(),
      { ...deployment(), metadata: { ...deployment().metadata, namespace: 'other' } },
      `deployments.apps "${NS}/reviews" not found`,
    ],
    [
      'a kind Argo does not resolve',
      refRollout({ kind: 'StatefulSet' }),
      deployment(),
      'workload of type apps/StatefulSet is not supported',
    ],
    [
      'a ReplicaSet (Argo resolves it, sluice does not)',
      refRollout({ kind: 'ReplicaSet' }),
      deployment(),
      'sluice resolves workloadRef only to an apps/v1 Deployment, not apps/ReplicaSet',
    ],
    [
      'a PodTemplate (core group)',
      refRollout({ apiVersion: 'v1', kind: 'PodTemplate' }),
      deployment(),
      'sluice resolves workloadRef only to an apps/v1 Deployment, not core/PodTemplate',
    ],
    [
      'another version of the Deployment',
      refRollout({ apiVersion: 'apps/v1beta2' }),
      deployment(),
      'sluice resolves workloadRef only to an apps/v1 Deployment, not apps/v1beta2',
    ],
    [
      'template labels next to the workloadRef',
      { ...refRollout(), spec: { ...refRollout().spec, template: { metadata: { labels: { a: 'b' } } } } },
      deployment(),
      'template must be empty for workload reference rollout',
    ],
  ])('%s: %s', (_name, r, d, error) => {
    expect(resolveWorkload(r, d)).toEqual({ error });
  });

  it('reads a Deployment only for an apps/v1 Deployment with a name an object can have', () => {
    expect(referencedDeployment(refRollout())).toBe('reviews');
    expect(referencedDeployment(refRollout({ name: 'other/reviews' }))).toBeUndefined();
    expect(referencedDeployment(refRollout({ kind: 'ReplicaSet' }))).toBeUndefined();
    expect(referencedDeployment(baseRollout('host'))).toBeUndefined();
  });

  it.each([
    [undefined, 'never'],
    ['never', 'never'],
    ['onsuccess', 'onsuccess'],
    ['progressively', 'progressively'],
    ['OnSuccess', 'never'],
  ])('scaleDown %s is %s', (mode, expected) => {
    expect(scaleDownMode(refRollout(mode === undefined ? {} : { scaleDown: mode }))).toBe(expected);
  });
});

const HASH = 'abc123';
function newRS(revision: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `reviews-${HASH}`,
      namespace: NS,
      labels: { 'rollouts-pod-template-hash': HASH },
      annotations: { 'rollout.argoproj.io/revision': revision },
    },
    spec: { replicas },
  };
}

function observedWith(r: Rollout, rs: ReplicaSet[], d: KubeObject = deployment()): Observed {
  return {
    rollout: r,
    replicaSets: rs,
    services: {},
    virtualServices: [],
    now: T0,
    workload: { object: d, generation: 3 },
  };
}

const EMPTY: Plan = { effects: [], events: [], reason: 'nothing to do' };
const promoted = (phase: RolloutStatus['phase'], extra: RolloutStatus = {}): RolloutStatus => ({
  phase,
  stableRS: HASH,
  currentPodHash: HASH,
  currentStepIndex: 4,
  ...extra,
});

describe('deploymentScaleWrite: the Deployment replicas Argo sets per scaleDown', () => {
  it.each<[string, Rollout, ReplicaSet[], number | undefined]>([
    [
      'never: nothing',
      refRollout({ scaleDown: 'never' }, promoted('Healthy'), '1'),
      [newRS('1', 4)],
      undefined,
    ],
    [
      'onsuccess, Healthy at revision 1: 0',
      refRollout({ scaleDown: 'onsuccess' }, promoted('Healthy'), '1'),
      [],
      0,
    ],
    [
      'onsuccess, still Progressing: nothing',
      refRollout({ scaleDown: 'onsuccess' }, promoted('Progressing'), '1'),
      [],
      undefined,
    ],
    [
      'onsuccess at revision 2: nothing',
      refRollout({ scaleDown: 'onsuccess' }, promoted('Healthy'), '2'),
      [],
      undefined,
    ],
    [
      'onsuccess, aborted: nothing',
      refRollout({ scaleDown: 'onsuccess' }, promoted('Healthy', { abort: true }), '1'),
      [],
      undefined,
    ],
    [
      'progressively, Healthy: 0',
      refRollout({ scaleDown: 'progressively' }, promoted('Healthy'), '1'),
      [newRS('1', 4)],
      0,
    ],
    [
      'progressively, 1 of 4 ready: 3',
      refRollout({ scaleDown: 'progressively' }, promoted('Progressing', { readyReplicas: 1 }), '1'),
      [newRS('1', 4)],
      3,
    ],
    [
      'progressively, none ready yet: nothing',
      refRollout({ scaleDown: 'progressively' }, promoted('Progressing', { readyReplicas: 0 }), '1'),
      [newRS('1', 4)],
      undefined,
    ],
    [
      'progressively, canary ReplicaSet at revision 2: nothing',
      refRollout({ scaleDown: 'progressively' }, promoted('Progressing', { readyReplicas: 2 }), '2'),
      [newRS('2', 4)],
      undefined,
    ],
  ])('%s', (_name, r, rs, expected) => {
    const w = deploymentScaleWrite(observedWith(r, rs), EMPTY);
    if (expected === undefined) return expect(w).toBeUndefined();
    expect(w?.op === 'patch' && w.patch).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '77' },
      { op: 'replace', path: '/spec/replicas', value: expected },
    ]);
    expect(w?.target).toEqual({ resource: 'deployments', namespace: NS, name: 'reviews' });
  });

  it('is not written again once the Deployment is at its target', () => {
    const r = refRollout({ scaleDown: 'onsuccess' }, promoted('Healthy'), '1');
    expect(deploymentScaleWrite(observedWith(r, [], deployment('reviews', 0)), EMPTY)).toBeUndefined();
  });
});

describe('withWorkload', () => {
  it('writes workloadObservedGeneration with a status of its own when the plan has none', () => {
    const r = refRollout({}, promoted('Healthy', { workloadObservedGeneration: '2' }));
    const p = withWorkload(observedWith(r, []), EMPTY);
    expect(p.status?.workloadObservedGeneration).toBe('3');
    expect(p.transition).toBe('status-only');
  });

  it('writes nothing when the generation is already observed', () => {
    const r = refRollout({}, promoted('Healthy', { workloadObservedGeneration: '3' }));
    expect(withWorkload(observedWith(r, []), EMPTY)).toEqual(EMPTY);
  });
});

describe('tenancy: a Deployment write', () => {
  const r = refRollout({ scaleDown: 'onsuccess' });
  const o = observedWith(r, []);
  it.each<[string, { namespace: string; name: string }, Observed, boolean]>([
    ['the referenced Deployment, as read', { namespace: NS, name: 'reviews' }, o, true],
    ['another Deployment in the namespace', { namespace: NS, name: 'other' }, o, false],
    ['the same name in another namespace', { namespace: 'other', name: 'reviews' }, o, false],
    [
      'the referenced one when none was read',
      { namespace: NS, name: 'reviews' },
      { ...o, workload: {} },
      false,
    ],
  ])('%s: allowed %s', (_name, key, observed, allowed) => {
    const refusal = forbiddenWrite(observed, { resource: 'deployments', ...key });
    expect(refusal === undefined).toBe(allowed);
  });
});
