import { describe, expect, it } from '@jest/globals';
import { driftCorrection, observedObject, type LandedWrite } from '../../../shared/app/drift-record.js';
import { ANNOTATIONS, type KubeObject, type Service } from '../../../shared/core/model/types.js';
import type { Observed, Target } from '../../../shared/core/engine/types.js';
import { NS, rollout } from './fixtures.js';

const at = (s: number): string => `2026-01-01T00:00:${String(s).padStart(2, '0')}Z`;
const entry = (manager: string, time: number, fieldsV1: object) => ({
  manager,
  operation: 'Update',
  time: at(time),
  fieldsV1,
});
const HTTP = { 'f:spec': { 'f:http': {} } };
const HOSTS = { 'f:spec': { 'f:hosts': {} } };
const HASH = { 'f:spec': { 'f:selector': { 'f:rollouts-pod-template-hash': {} } } };
const PORTS = { 'f:spec': { 'f:ports': {}, 'f:selector': { 'f:app': {} } } };
/** GitOps rewrote the weights (owns the atomic http list) after sluice had set them. */
const REWRITTEN = [entry('sluice', 5, HOSTS), entry('argocd', 9, HTTP)];
const WEIGHTS_PATCH = [
  { op: 'test' as const, path: '/metadata/resourceVersion', value: '7' },
  { op: 'replace' as const, path: '/spec/http/0/route/0/weight', value: 50 },
  { op: 'replace' as const, path: '/spec/http/0/route/1/weight', value: 50 },
];
const HASH_PATCH = [
  { op: 'replace' as const, path: '/spec/selector/rollouts-pod-template-hash', value: 'abc' },
];

function vs(stable: number, managedFields?: unknown[]): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: NS, ...(managedFields ? { managedFields } : {}) },
    spec: {
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'reviews-stable' }, weight: stable },
            { destination: { host: 'reviews-canary' }, weight: 100 - stable },
          ],
        },
      ],
    },
  };
}

function svc(hash: string, managedFields: unknown[], adopted: boolean): KubeObject {
  const annotations = adopted ? { [ANNOTATIONS.managedBy]: 'reviews' } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'reviews-canary',
      namespace: NS,
      managedFields,
      ...(annotations ? { annotations } : {}),
    },
    spec: { selector: { app: 'reviews', 'rollouts-pod-template-hash': hash } },
  };
}

const VS: Target = { resource: 'virtualservices', namespace: NS, name: 'reviews' };
const SVC: Target = { resource: 'services', namespace: NS, name: 'reviews-canary' };

describe('driftCorrection: does a landed write put back a foreign change?', () => {
  const RESTORED = {
    before: 'http[primary] reviews-stable=100, reviews-canary=0',
    after: 'http[primary] reviews-stable=50, reviews-canary=50',
  };
  const restore = { target: VS, patch: WEIGHTS_PATCH, written: vs(50) };
  const cases: { case: string; w: LandedWrite; want: { before: string; after: string } | undefined }[] = [
    {
      case: 'weights rewritten by GitOps after sluice, restored by a pass with no transition',
      w: { ...restore, read: vs(100, REWRITTEN), transition: undefined },
      want: RESTORED,
    },
    {
      case: 'the same restoration by a status-only pass (a spec change synced with it)',
      w: { ...restore, read: vs(100, REWRITTEN), transition: 'status-only' },
      want: RESTORED,
    },
    {
      case: 'a pass that commits a step: its writes belong to the new step',
      w: { ...restore, read: vs(100, REWRITTEN), transition: 'step-completed' },
      want: undefined,
    },
    {
      case: 'sluice owns the fields it writes: its own pending work, even when another manager wrote later',
      w: {
        ...restore,
        read: vs(100, [entry('sluice', 5, HTTP), entry('argocd', 9, HOSTS)]),
        transition: undefined,
      },
      want: undefined,
    },
    {
      case: 'no fieldsV1, sluice wrote last by time: not drift',
      w: {
        ...restore,
        read: vs(100, [
          { manager: 'argocd', time: at(1) },
          { manager: 'sluice', time: at(5) },
        ]),
        transition: undefined,
      },
      want: undefined,
    },
    {
      case: 'no fieldsV1, another manager wrote last by time: drift',
      w: {
        ...restore,
        read: vs(100, [
          { manager: 'sluice', time: at(5) },
          { manager: 'argocd', time: at(9) },
        ]),
        transition: undefined,
      },
      want: RESTORED,
    },
    {
      case: 'a server without managedFields (the sandbox): no evidence, no correction',
      w: { ...restore, read: vs(100), transition: undefined },
      want: undefined,
    },
    {
      case: 'the managed fields did not change (only fields sluice does not manage)',
      w: { ...restore, read: vs(50, REWRITTEN), transition: undefined },
      want: undefined,
    },
    {
      case: 'the object was not read by the pass',
      w: { ...restore, read: undefined, transition: undefined },
      want: undefined,
    },
    {
      case: 'a status write is never a correction',
      w: {
        ...restore,
        target: { ...VS, subresource: 'status' },
        read: vs(100, REWRITTEN),
        transition: undefined,
      },
      want: undefined,
    },
    {
      case: 'a selector sluice had set (managed-by annotation) rewritten by someone else',
      w: {
        target: SVC,
        patch: HASH_PATCH,
        read: svc('old', [entry('sluice', 5, {}), entry('argocd', 9, HASH)], true),
        written: svc('abc', [], true),
        transition: undefined,
      },
      want: {
        before: 'selector {"app":"reviews","rollouts-pod-template-hash":"old"}',
        after: 'selector {"app":"reviews","rollouts-pod-template-hash":"abc"}',
      },
    },
    {
      case: 'created and adopted in the same second, then switched by sluice: not drift (time alone would tie)',
      w: {
        target: SVC,
        patch: HASH_PATCH,
        read: svc('old', [entry('kubectl', 5, PORTS), entry('sluice', 5, HASH)], true),
        written: svc('abc', [], true),
        transition: undefined,
      },
      want: undefined,
    },
    {
      case: 'the first switch of a Service sluice never managed is adoption, not drift',
      w: {
        target: SVC,
        patch: HASH_PATCH,
        read: svc('', [entry('kubectl', 9, HASH)], false),
        written: svc('abc', [], true),
        transition: undefined,
      },
      want: undefined,
    },
  ];
  it.each(cases)('$case', ({ w, want }) => {
    const got = driftCorrection(w);
    if (want === undefined) {
      expect(got).toBeUndefined();
      return;
    }
    expect(got).toEqual({
      object: {
        kind: w.target.resource === 'services' ? 'Service' : 'VirtualService',
        namespace: NS,
        name: w.target.name,
      },
      ...want,
      event: {
        type: 'Normal',
        reason: 'DriftCorrected',
        message: `${w.target.resource === 'services' ? 'Service' : 'VirtualService'} ${NS}/${w.target.name} drifted from the committed step; restored: ${want.before} -> ${want.after}`,
      },
    });
  });
});

describe('observedObject: the object a write targets, as the pass read it', () => {
  const dr: KubeObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: NS },
  };
  const observed: Observed = {
    rollout: rollout(),
    replicaSets: [],
    services: { 'reviews-canary': svc('abc', [], true) as Service },
    virtualServices: [
      { key: { namespace: NS, name: 'reviews' }, index: 0, object: vs(50) },
      { key: { namespace: 'mesh', name: 'gone' }, index: 1 },
    ],
    destinationRule: dr,
    now: new Date(0),
  };
  it.each([
    { case: 'a Service in the Rollout namespace', target: SVC, want: 'Service' },
    { case: 'a Service elsewhere', target: { ...SVC, namespace: 'other' }, want: undefined },
    { case: 'a VirtualService', target: VS, want: 'VirtualService' },
    {
      case: 'a VirtualService not found',
      target: { ...VS, namespace: 'mesh', name: 'gone' },
      want: undefined,
    },
    {
      case: 'the DestinationRule',
      target: { resource: 'destinationrules', namespace: NS, name: 'reviews' },
      want: 'DestinationRule',
    },
    {
      case: 'another DestinationRule',
      target: { resource: 'destinationrules', namespace: NS, name: 'x' },
      want: undefined,
    },
    { case: 'a status subresource', target: { ...VS, subresource: 'status' }, want: undefined },
    {
      case: 'a ReplicaSet',
      target: { resource: 'replicasets', namespace: NS, name: 'reviews-abc' },
      want: undefined,
    },
  ] as { case: string; target: Target; want: string | undefined }[])('$case', ({ target, want }) => {
    expect(observedObject(observed, target)?.kind).toBe(want);
  });
});
