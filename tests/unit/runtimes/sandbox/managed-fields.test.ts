import { describe, expect, it } from '@jest/globals';
import { trackManagedFields } from '../../../../shared/runtimes/sandbox/managed-fields.js';

const T1 = '2026-01-01T00:00:01Z';
const T2 = '2026-01-01T00:00:02Z';
const vs = (weights: number[], managedFields?: unknown[]) => ({
  apiVersion: 'networking.istio.io/v1',
  metadata: { name: 'reviews', ...(managedFields ? { managedFields } : {}) },
  spec: { hosts: ['reviews'], http: [{ route: weights.map((weight) => ({ weight })) }] },
});
const svc = (selector: Record<string, string>, managedFields?: unknown[]) => ({
  apiVersion: 'v1',
  metadata: { name: 'reviews', annotations: { a: '1' }, ...(managedFields ? { managedFields } : {}) },
  spec: { selector },
});
const owners = (entries: { manager: string; fieldsV1: object; time: string }[]) =>
  entries.map((e) => [e.manager, e.fieldsV1, e.time]);

describe('trackManagedFields (sandbox)', () => {
  it('a create gives the creator every field it set (lists atomic, maps per key)', () => {
    expect(owners(trackManagedFields(undefined, vs([100, 0]), 'kubectl', T1))).toEqual([
      ['kubectl', { 'f:spec': { 'f:hosts': {}, 'f:http': {} } }, T1],
    ]);
  });

  it('an update moves only the changed fields to the writer', () => {
    const created = vs([100, 0], trackManagedFields(undefined, vs([100, 0]), 'kubectl', T1));
    expect(owners(trackManagedFields(created, vs([80, 20]), 'sluice', T2))).toEqual([
      ['kubectl', { 'f:spec': { 'f:hosts': {} } }, T1],
      ['sluice', { 'f:spec': { 'f:http': {} } }, T2],
    ]);
  });

  it('a map key changed by one manager leaves the other keys with their owner', () => {
    const created = svc({ app: 'r' }, trackManagedFields(undefined, svc({ app: 'r' }), 'kubectl', T1));
    expect(owners(trackManagedFields(created, svc({ app: 'r', hash: 'abc' }), 'sluice', T2))).toEqual([
      [
        'kubectl',
        { 'f:metadata': { 'f:annotations': { 'f:a': {} } }, 'f:spec': { 'f:selector': { 'f:app': {} } } },
        T1,
      ],
      ['sluice', { 'f:spec': { 'f:selector': { 'f:hash': {} } } }, T2],
    ]);
  });

  it('a write that changes nothing keeps the writer entry and its time', () => {
    const mine = trackManagedFields(undefined, vs([100, 0]), 'sluice', T1);
    expect(owners(trackManagedFields(vs([100, 0], mine), vs([100, 0]), 'sluice', T2))).toEqual(owners(mine));
  });
});
