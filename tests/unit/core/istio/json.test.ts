/** Helpers for objects read as JSON: messages, specs, names, copies. */
import { describe, expect, it } from '@jest/globals';
import {
  deepCopy,
  describe as describeValue,
  objectName,
  specOf,
} from '../../../../shared/core/istio/json.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';

const vs = (spec: unknown, namespace?: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'vs', ...(namespace ? { namespace } : {}) },
  spec,
});

describe('describe (for messages)', () => {
  it.each<{ value: unknown; want: string }>([
    { value: undefined, want: 'nothing' },
    { value: null, want: 'null' },
    { value: [1], want: 'a list' },
    { value: { a: 1 }, want: 'an object' },
    { value: '50', want: 'string "50"' },
    { value: 50, want: 'number 50' },
    { value: true, want: 'boolean true' },
  ])('$value → $want', ({ value, want }) => {
    expect(describeValue(value)).toBe(want);
  });
});

describe('specOf', () => {
  it('returns the spec object itself', () => {
    const o = vs({ hosts: ['a'] });
    specOf(o)['http'] = [];
    expect(o.spec).toEqual({ hosts: ['a'], http: [] });
  });
  it.each([undefined, null, [], 'x'])('replaces a spec that is not an object (%p) with {}', (spec) => {
    const o = vs(spec);
    expect(specOf(o)).toEqual({});
    expect(o.spec).toEqual({});
  });
});

describe('objectName', () => {
  it.each<{ o: KubeObject; want: string }>([
    { o: vs({}, 'istio'), want: 'istio/vs' },
    { o: vs({}), want: 'vs' },
  ])('$want', ({ o, want }) => {
    expect(objectName(o)).toBe(want);
  });
});

describe('deepCopy', () => {
  it('copies without sharing', () => {
    const a = { spec: { http: [{ weight: 1 }] } };
    const b = deepCopy(a);
    b.spec.http[0]!.weight = 2;
    expect(a.spec.http[0]!.weight).toBe(1);
    expect(b).toEqual({ spec: { http: [{ weight: 2 }] } });
  });
});
