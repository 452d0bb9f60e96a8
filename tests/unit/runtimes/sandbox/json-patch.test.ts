import { describe, expect, it } from '@jest/globals';
import {
  applyJsonPatch,
  mergePatch,
  PatchApplyError,
} from '../../../../shared/runtimes/sandbox/json-patch.js';

describe('mergePatch (RFC 7386)', () => {
  it.each([
    { case: 'a null deletes the key', target: { a: 1, b: 2 }, patch: { b: null }, want: { a: 1 } },
    {
      case: 'objects merge recursively',
      target: { a: { x: 1, y: 2 } },
      patch: { a: { y: 3 } },
      want: { a: { x: 1, y: 3 } },
    },
    { case: 'arrays are replaced whole', target: { a: [1, 2, 3] }, patch: { a: [4] }, want: { a: [4] } },
    { case: 'a non-object patch replaces the target', target: { a: 1 }, patch: [1], want: [1] },
    {
      case: 'a patch object over a scalar builds a new object',
      target: { a: 1 },
      patch: { a: { b: null, c: 1 } },
      want: { a: { c: 1 } },
    },
  ])('$case', ({ target, patch, want }) => {
    const before = JSON.stringify(target);
    expect(mergePatch(target, patch)).toEqual(want);
    expect(JSON.stringify(target)).toBe(before);
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { metadata: { resourceVersion: '7' }, spec: { list: ['a', 'b'], 'x/y': 1, 'm~n': 2 } };
  it.each([
    {
      case: 'add appends with -',
      ops: [{ op: 'add', path: '/spec/list/-', value: 'c' }],
      path: ['spec', 'list'],
      want: ['a', 'b', 'c'],
    },
    {
      case: 'add inserts at an index',
      ops: [{ op: 'add', path: '/spec/list/0', value: 'z' }],
      path: ['spec', 'list'],
      want: ['z', 'a', 'b'],
    },
    {
      case: 'remove deletes an array item',
      ops: [{ op: 'remove', path: '/spec/list/0' }],
      path: ['spec', 'list'],
      want: ['b'],
    },
    {
      case: 'replace after a passing test',
      ops: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'replace', path: '/spec/list/1', value: 'q' },
      ],
      path: ['spec', 'list'],
      want: ['a', 'q'],
    },
    {
      case: '~1 escapes a slash',
      ops: [{ op: 'replace', path: '/spec/x~1y', value: 5 }],
      path: ['spec', 'x/y'],
      want: 5,
    },
    {
      case: '~0 escapes a tilde',
      ops: [{ op: 'replace', path: '/spec/m~0n', value: 6 }],
      path: ['spec', 'm~n'],
      want: 6,
    },
    {
      case: 'move moves a value',
      ops: [{ op: 'move', from: '/spec/list/0', path: '/spec/first' }],
      path: ['spec', 'first'],
      want: 'a',
    },
    {
      case: 'copy copies a value',
      ops: [{ op: 'copy', from: '/spec/list/1', path: '/spec/second' }],
      path: ['spec', 'second'],
      want: 'b',
    },
  ])('$case', ({ ops, path, want }) => {
    const out = applyJsonPatch(doc, ops) as Record<string, Record<string, unknown>>;
    expect(out[path[0] as string]?.[path[1] as string]).toEqual(want);
    expect(doc.spec.list).toEqual(['a', 'b']);
  });

  it.each([
    {
      case: 'a failing test',
      ops: [{ op: 'test', path: '/metadata/resourceVersion', value: '6' }],
      kind: 'test-failed',
    },
    { case: 'a test of a missing path', ops: [{ op: 'test', path: '/nope', value: 1 }], kind: 'test-failed' },
    {
      case: 'replace of a missing key',
      ops: [{ op: 'replace', path: '/spec/nope', value: 1 }],
      kind: 'bad-path',
    },
    { case: 'remove of a missing key', ops: [{ op: 'remove', path: '/spec/nope' }], kind: 'bad-path' },
    { case: 'add under a missing parent', ops: [{ op: 'add', path: '/a/b/c', value: 1 }], kind: 'bad-path' },
    { case: 'an index past the end', ops: [{ op: 'add', path: '/spec/list/5', value: 1 }], kind: 'bad-path' },
    { case: 'an unknown op', ops: [{ op: 'frobnicate', path: '/spec' }], kind: 'bad-op' },
  ])('rejects $case as $kind and changes nothing', ({ ops, kind }) => {
    const before = JSON.stringify(doc);
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/extra', value: 1 }, ...ops])).toThrow(
      PatchApplyError,
    );
    try {
      applyJsonPatch(doc, ops);
    } catch (err) {
      expect((err as PatchApplyError).kind).toBe(kind);
    }
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('hostile keys', () => {
  it('a "__proto__" member in a merge patch becomes a plain member, never the prototype', () => {
    const patch: unknown = JSON.parse('{"metadata":{"__proto__":{"polluted":true}}}');
    const out = mergePatch({ metadata: { name: 'a' } }, patch) as { metadata: Record<string, unknown> };
    expect(Object.getPrototypeOf(out.metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(out.metadata, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a JSON Patch cannot walk into the prototype ("/constructor/prototype")', () => {
    expect(() =>
      applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/constructor/prototype/x', value: 1 }]),
    ).toThrow(/missing path/);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});
