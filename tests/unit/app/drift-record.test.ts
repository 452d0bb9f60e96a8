import { describe, expect, it } from '@jest/globals';
import { driftCorrection, observedObject, type LandedWrite } from '../../../shared/app/drift-record.js';
import { ANNOTATIONS, type KubeObject } from '../../../shared/core/model/types.js';
import type { Observed, Target } from '../../../shared/core/engine/types.js';
import { NS, rollout } from './fixtures.js';

const SLUICE_AT_5 = { manager: 'sluice', operation: 'Update', time: '2026-01-01T00:00:05Z' };
const GITOPS_AT_9 = { manager: 'argocd', operation: 'Update', time: '2026-01-01T00:00:09Z' };
const SLUICE_AT_12 = { manager: 'sluice', operation: 'Update', time: '2026-01-01T00:00:12Z' };

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
  const cases: { case: string; w: LandedWrite; want: { before: string; after: string } | undefined }[] = [
    {
      case: 'weights rewritten by GitOps after sluice, restored by a pass with no transition',
      w: { target: VS, read: vs(100, [SLUICE_AT_5, GITOPS_AT_9]), written: vs(50), transition: undefined },
      want: {
        before: 'http[primary] reviews-stable=100, reviews-canary=0',
        after: 'http[primary] reviews-stable=50, reviews-canary=50',
      },
    },
    {
      case: 'the same restoration by a status-only pass (a spec change synced with it)',
      w: {
        target: VS,
        read: vs(100, [SLUICE_AT_5, GITOPS_AT_9]),
        written: vs(50),
        transition: 'status-only',
      },
      want: {
        before: 'http[primary] reviews-stable=100, reviews-canary=0',
        after: 'http[primary] reviews-stable=50, reviews-canary=50',
      },
    },
    {
      case: 'a pass that commits a step: its writes belong to the new step',
      w: {
        target: VS,
        read: vs(100, [SLUICE_AT_5, GITOPS_AT_9]),
        written: vs(50),
        transition: 'step-completed',
      },
      want: undefined,
    },
    {
      case: 'sluice wrote the object last: its own pending work, not drift',
      w: { target: VS, read: vs(100, [GITOPS_AT_9, SLUICE_AT_12]), written: vs(50), transition: undefined },
      want: undefined,
    },
    {
      case: 'a server without managedFields: a VirtualService write counts as a correction',
      w: { target: VS, read: vs(100), written: vs(50), transition: undefined },
      want: {
        before: 'http[primary] reviews-stable=100, reviews-canary=0',
        after: 'http[primary] reviews-stable=50, reviews-canary=50',
      },
    },
    {
      case: 'the managed fields did not change (only fields sluice does not manage)',
      w: { target: VS, read: vs(50, [SLUICE_AT_5, GITOPS_AT_9]), written: vs(50), transition: undefined },
      want: undefined,
    },
    {
      case: 'the object was not read by the pass',
      w: { target: VS, read: undefined, written: vs(50), transition: undefined },
      want: undefined,
    },
    {
      case: 'a status write is never a correction',
      w: {
        target: { ...VS, subresource: 'status' },
        read: vs(100, [GITOPS_AT_9]),
        written: vs(50),
        transition: undefined,
      },
      want: undefined,
    },
    {
      case: 'a selector sluice had set (managed-by annotation) rewritten by someone else',
      w: {
        target: SVC,
        read: svc('old', [SLUICE_AT_5, GITOPS_AT_9], true),
        written: svc('abc', [], true),
        transition: undefined,
      },
      want: {
        before: 'selector {"app":"reviews","rollouts-pod-template-hash":"old"}',
        after: 'selector {"app":"reviews","rollouts-pod-template-hash":"abc"}',
      },
    },
    {
      case: 'the first switch of a Service sluice never managed is adoption, not drift',
      w: {
        target: SVC,
        read: svc('', [GITOPS_AT_9], false),
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
    services: { 'reviews-canary': svc('abc', [], true) },
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
