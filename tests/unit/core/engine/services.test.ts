/** Host-level splitting: when a Service's selector may move to a hash, and the write and Event that move it. */
import { describe, expect, it } from '@jest/globals';
import { selectedHash, switchService, type ServiceTarget } from '../../../../shared/core/engine/services.js';
import { ANNOTATIONS, LABELS, type ReplicaSet, type Service } from '../../../../shared/core/model/types.js';
import { NS, rollout } from './support/fixtures.js';

const r = rollout('host');
const svc = (hash?: string, adopted = false): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'demo-canary',
    namespace: NS,
    resourceVersion: '5',
    ...(adopted ? { annotations: { [ANNOTATIONS.managedBy]: 'demo' } } : {}),
  },
  spec: { selector: { app: 'demo', ...(hash ? { [LABELS.podTemplateHash]: hash } : {}) } },
});
const rs = (available: number, replicas = 2): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'demo-new', namespace: NS },
  spec: { replicas, selector: {}, template: {} },
  status: { replicas, availableReplicas: available },
});

describe('selectedHash', () => {
  it.each([
    { s: svc('abc'), want: 'abc' },
    { s: svc(), want: '' },
    { s: undefined, want: '' },
  ])('$want', ({ s, want }) => {
    expect(selectedHash(s)).toBe(want);
  });
});

describe('switchService', () => {
  it.each<{ case: string; t: ServiceTarget; want: 'none' | 'write' | 'write+event' | string }>([
    {
      case: 'already selected and adopted: nothing',
      t: { service: svc('new', true), hash: 'new', rs: rs(2) },
      want: 'none',
    },
    {
      case: 'already selected, not adopted: adopt without an Event',
      t: { service: svc('new'), hash: 'new', rs: rs(0) },
      want: 'write',
    },
    {
      case: 'adopted, one pod available: switch',
      t: { service: svc('old', true), hash: 'new', rs: rs(1) },
      want: 'write+event',
    },
    {
      case: 'adopted, no pod available: wait',
      t: { service: svc('old', true), hash: 'new', rs: rs(0) },
      want: 'Service demo-canary waits: ReplicaSet demo-new has no available pod',
    },
    {
      case: 'not adopted, partly available: wait',
      t: { service: svc('old'), hash: 'new', rs: rs(1) },
      want: 'Service demo-canary waits: ReplicaSet demo-new is not fully available',
    },
    {
      case: 'not adopted, fully available: switch',
      t: { service: svc('old'), hash: 'new', rs: rs(2) },
      want: 'write+event',
    },
    {
      case: 'no ReplicaSet: wait',
      t: { service: svc('old', true), hash: 'new', rs: undefined },
      want: 'Service demo-canary waits: ReplicaSet with hash new does not exist',
    },
    {
      case: 'forced (abort): switch at once',
      t: { service: svc('new', true), hash: 'old', rs: undefined, force: true },
      want: 'write+event',
    },
  ])('$case', ({ t, want }) => {
    const got = switchService(r, t);
    const shape = got.waiting ?? (got.write ? (got.write.events ? 'write+event' : 'write') : 'none');
    expect(shape).toBe(want);
    if (got.waiting) expect(got.write).toBeUndefined();
  });

  it("writes the selector and managed-by guarded by resourceVersion, with Argo's SwitchService text", () => {
    const got = switchService(r, { service: svc('old'), hash: 'new', rs: rs(2) });
    expect(got.write).toMatchObject({
      op: 'patch',
      target: { resource: 'services', namespace: NS, name: 'demo-canary' },
    });
    const patch = got.write?.op === 'patch' ? got.write.patch : [];
    expect(patch[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '5' });
    expect(patch).toContainEqual(
      expect.objectContaining({ path: `/spec/selector/${LABELS.podTemplateHash}`, value: 'new' }),
    );
    expect(got.write?.events).toEqual([
      {
        type: 'Normal',
        reason: 'SwitchService',
        message: "Switched selector for service 'demo-canary' from 'old' to 'new'",
      },
    ]);
  });
});
