import { describe, expect, it } from '@jest/globals';
import { isJsonObject, jsonEqual } from '../../../../shared/core/model/json.js';

describe('jsonEqual: equal exactly when the JSON texts are equal up to member order', () => {
  it.each<{ case: string; a: unknown; b: unknown; want: boolean }>([
    { case: 'same number', a: 1, b: 1, want: true },
    { case: 'number vs numeric string', a: 1, b: '1', want: false },
    { case: 'null vs undefined at the top', a: null, b: undefined, want: false },
    { case: 'undefined vs undefined', a: undefined, b: undefined, want: true },
    { case: 'member order ignored', a: { a: 1, b: 2 }, b: { b: 2, a: 1 }, want: true },
    { case: 'an undefined member is absent', a: { a: undefined }, b: {}, want: true },
    {
      case: 'an undefined member is absent (other side)',
      a: { x: 1 },
      b: { x: 1, y: undefined },
      want: true,
    },
    { case: 'an undefined member is not null', a: { a: undefined }, b: { a: null }, want: false },
    { case: 'same count, different keys', a: { x: 1 }, b: { x: undefined, z: 1 }, want: false },
    { case: 'nested undefined member', a: { s: { w: 1, d: undefined } }, b: { s: { w: 1 } }, want: true },
    { case: 'an undefined array element is null', a: [undefined], b: [null], want: true },
    { case: 'arrays are ordered', a: [1, 2], b: [2, 1], want: false },
    { case: 'array lengths differ', a: [1], b: [1, 1], want: false },
    { case: 'array vs object with index keys', a: [1], b: { 0: 1 }, want: false },
    { case: 'empty array vs empty object', a: [], b: {}, want: false },
    { case: 'deep difference', a: { a: [{ b: 1 }] }, b: { a: [{ b: 2 }] }, want: false },
    { case: 'prototype member is not a member', a: { constructor: 1 }, b: {}, want: false },
    { case: 'missing vs prototype name', a: {}, b: { toString: 1 }, want: false },
  ])('$case → $want', ({ a, b, want }) => {
    expect(jsonEqual(a, b)).toBe(want);
    expect(jsonEqual(b, a)).toBe(want);
    // The rule itself: equal JSON texts after sorting members.
    const text = (v: unknown): string | undefined =>
      JSON.stringify(v, (_k, x: unknown) =>
        isJsonObject(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) : x,
      );
    expect(text(a) === text(b)).toBe(want);
  });

  it('never mutates its inputs', () => {
    const a = { a: [1, undefined], b: undefined };
    const b = { a: [1, null] };
    jsonEqual(a, b);
    expect(a).toStrictEqual({ a: [1, undefined], b: undefined });
    expect(b).toStrictEqual({ a: [1, null] });
  });
});

describe('isJsonObject', () => {
  it.each([
    { v: {}, want: true },
    { v: { a: 1 }, want: true },
    { v: [], want: false },
    { v: null, want: false },
    { v: 'x', want: false },
    { v: undefined, want: false },
  ])('$v → $want', ({ v, want }) => expect(isJsonObject(v)).toBe(want));
});
