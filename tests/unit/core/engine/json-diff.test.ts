import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { diffToPatch, guardedPatch } from '../../../../shared/core/engine/json-diff.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';
import { applyPatch } from './support/apply-patch.js';

describe('diffToPatch', () => {
  it.each([
    { case: 'equal documents give no ops', before: { a: 1, b: [1, 2] }, after: { a: 1, b: [1, 2] }, ops: [] },
    {
      case: 'a changed scalar is replaced at its path',
      before: { a: { b: 1, c: 2 } },
      after: { a: { b: 1, c: 3 } },
      ops: [{ op: 'replace', path: '/a/c', value: 3 }],
    },
    {
      case: 'a new key is added',
      before: { a: 1 },
      after: { a: 1, b: { c: true } },
      ops: [{ op: 'add', path: '/b', value: { c: true } }],
    },
    {
      case: 'a removed key is removed',
      before: { a: 1, b: 2 },
      after: { a: 1 },
      ops: [{ op: 'remove', path: '/b' }],
    },
    {
      case: 'a key whose value becomes undefined is removed',
      before: { a: 1, b: 2 },
      after: { a: 1, b: undefined },
      ops: [{ op: 'remove', path: '/b' }],
    },
    {
      case: 'equal-length arrays are compared element by element',
      before: { r: [{ w: 100 }, { w: 0 }] },
      after: { r: [{ w: 90 }, { w: 10 }] },
      ops: [
        { op: 'replace', path: '/r/0/w', value: 90 },
        { op: 'replace', path: '/r/1/w', value: 10 },
      ],
    },
    {
      case: 'arrays of different length are replaced whole',
      before: { r: [1, 2, 3] },
      after: { r: [1, 2] },
      ops: [{ op: 'replace', path: '/r', value: [1, 2] }],
    },
    {
      case: 'keys with / and ~ are escaped',
      before: { labels: { 'a/b': 'x', 'c~d': 'y' } },
      after: { labels: { 'a/b': 'z', 'c~d': 'y', 'e/~': 'w' } },
      ops: [
        { op: 'replace', path: '/labels/a~1b', value: 'z' },
        { op: 'add', path: '/labels/e~1~0', value: 'w' },
      ],
    },
    {
      case: 'a value changing type is replaced whole',
      before: { a: { b: 1 } },
      after: { a: [1] },
      ops: [{ op: 'replace', path: '/a', value: [1] }],
    },
  ])('$case', ({ before, after, ops }) => {
    expect(diffToPatch(before, after)).toEqual(ops);
  });

  it('prefixes paths with basePath', () => {
    expect(diffToPatch({ x: 1 }, { x: 2 }, '/spec')).toEqual([{ op: 'replace', path: '/spec/x', value: 2 }]);
  });

  it('applying the diff to before always gives after', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        const before = { doc: a };
        const after = { doc: b };
        expect(applyPatch(before, diffToPatch(before, after))).toEqual(JSON.parse(JSON.stringify(after)));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('guardedPatch', () => {
  const base: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'canary', namespace: 'ns', resourceVersion: '42' },
    spec: { selector: { app: 'x' } },
  };

  it('starts with a test of the resourceVersion as read', () => {
    const after = structuredClone(base);
    (after.spec as { selector: Record<string, string> }).selector['rollouts-pod-template-hash'] = 'abc';
    expect(guardedPatch(base, after)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'add', path: '/spec/selector/rollouts-pod-template-hash', value: 'abc' },
    ]);
  });

  it('is empty when nothing changed', () => {
    expect(guardedPatch(base, structuredClone(base))).toEqual([]);
  });

  it('names the object when it has no resourceVersion', () => {
    const before = { ...base, metadata: { name: 'canary', namespace: 'ns' } };
    const after = { ...before, spec: {} };
    expect(() => guardedPatch(before, after)).toThrow('cannot patch Service ns/canary');
  });
});
