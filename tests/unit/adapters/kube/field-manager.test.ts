import { describe, expect, it } from '@jest/globals';
import { lastWrittenBySluice } from '../../../../shared/adapters/kube/field-manager.js';
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
