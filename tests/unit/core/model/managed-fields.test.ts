import { describe, expect, it } from '@jest/globals';
import { lastWrittenBySluice, ownedByOthers } from '../../../../shared/core/model/managed-fields.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';

const obj = (managedFields?: unknown[]): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', ...(managedFields ? { managedFields } : {}) },
  }) as KubeObject;
const entry = (manager: string, time: string, subresource?: string) => ({
  manager,
  operation: 'Update',
  time,
  ...(subresource ? { subresource } : {}),
});

describe('lastWrittenBySluice', () => {
  it.each([
    { case: 'no managedFields (a server that does not track them)', o: obj(), want: undefined },
    { case: 'only sluice', o: obj([entry('sluice', '2026-01-01T00:00:05Z')]), want: true },
    {
      case: 'a foreign write after sluice',
      o: obj([entry('sluice', '2026-01-01T00:00:05Z'), entry('kubectl', '2026-01-01T00:00:09Z')]),
      want: false,
    },
    {
      case: 'sluice after a foreign write',
      o: obj([entry('kubectl', '2026-01-01T00:00:01Z'), entry('sluice', '2026-01-01T00:00:09Z')]),
      want: true,
    },
    {
      case: 'a tie in the same second counts as foreign',
      o: obj([entry('kubectl', '2026-01-01T00:00:09Z'), entry('sluice', '2026-01-01T00:00:09Z')]),
      want: false,
    },
    {
      case: 'status subresource entries are ignored',
      o: obj([entry('sluice', '2026-01-01T00:00:05Z'), entry('kubelet', '2026-01-01T00:00:09Z', 'status')]),
      want: true,
    },
  ])('$case', ({ o, want }) => {
    expect(lastWrittenBySluice(o)).toBe(want);
  });
});

describe('ownedByOthers', () => {
  const owner = (manager: string, fieldsV1: object, subresource?: string) => ({
    manager,
    operation: 'Update',
    time: '2026-01-01T00:00:05Z',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  });
  const WEIGHT = '/spec/http/0/route/1/weight';
  const HASH = '/spec/selector/rollouts-pod-template-hash';
  it.each([
    { case: 'no managedFields', o: obj(), paths: [WEIGHT], want: undefined },
    {
      case: 'entries without fieldsV1',
      o: obj([entry('argocd', '2026-01-01T00:00:05Z')]),
      paths: [WEIGHT],
      want: undefined,
    },
    {
      case: 'another manager owns the atomic list holding the field',
      o: obj([owner('argocd', { 'f:spec': { 'f:http': {} } })]),
      paths: [WEIGHT],
      want: true,
    },
    {
      case: 'only sluice owns it',
      o: obj([
        owner('sluice', { 'f:spec': { 'f:http': {} } }),
        owner('argocd', { 'f:spec': { 'f:hosts': {} } }),
      ]),
      paths: [WEIGHT],
      want: false,
    },
    {
      case: 'another manager owns the map key',
      o: obj([owner('kubectl', { 'f:spec': { 'f:selector': { 'f:rollouts-pod-template-hash': {} } } })]),
      paths: [HASH],
      want: true,
    },
    {
      case: 'another manager owns a sibling key only',
      o: obj([owner('kubectl', { 'f:spec': { 'f:selector': { 'f:app': {} } } })]),
      paths: [HASH],
      want: false,
    },
    {
      case: 'an owned element of a keyed list counts for an index',
      o: obj([owner('kubectl', { 'f:spec': { 'f:subsets': { 'k:{"name":"canary"}': {} } } })]),
      paths: ['/spec/subsets/0/labels'],
      want: true,
    },
    {
      case: 'escaped pointer segments',
      o: obj([owner('kubectl', { 'f:spec': { 'f:selector': { 'f:a/b': {} } } })]),
      paths: ['/spec/selector/a~1b'],
      want: true,
    },
    {
      case: 'status subresource owners are ignored',
      o: obj([owner('kubectl', { 'f:spec': { 'f:http': {} } }, 'status')]),
      paths: [WEIGHT],
      want: undefined,
    },
  ])('$case', ({ o, paths, want }) => {
    expect(ownedByOthers(o, paths)).toBe(want);
  });
});
