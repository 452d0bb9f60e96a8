import { describe, expect, it } from '@jest/globals';
import {
  AccessRuleError,
  allows,
  parseAccessRules,
  roleFor,
  type AccessRule,
} from '../../../../shared/core/model/access.js';

const RULES: AccessRule[] = [
  { claim: 'groups', value: 'shop-devs', role: 'operator', namespaces: ['shop'] },
  { claim: 'groups', value: 'sre', role: 'viewer' },
  {
    claim: 'sub',
    value: 'repo:acme/shop:ref:refs/heads/main',
    role: 'operator',
    namespaces: ['shop', 'cart'],
  },
  { claim: 'email', value: 'lead@example.com', role: 'operator' },
];

describe('roleFor: the strongest role the rules give on a namespace', () => {
  it.each([
    ['a group member on its namespace', { sub: 'a', groups: ['shop-devs'] }, 'shop', 'operator'],
    ['a group member elsewhere', { sub: 'a', groups: ['shop-devs'] }, 'billing', undefined],
    ['a viewer group on any namespace', { sub: 'b', groups: ['sre'] }, 'billing', 'viewer'],
    [
      'viewer and operator rules: the stronger wins',
      { sub: 'c', groups: ['sre', 'shop-devs'] },
      'shop',
      'operator',
    ],
    ['a string claim equal to the value', { sub: 'repo:acme/shop:ref:refs/heads/main' }, 'cart', 'operator'],
    [
      'a string claim equal, namespace not listed',
      { sub: 'repo:acme/shop:ref:refs/heads/main' },
      'x',
      undefined,
    ],
    ['a prefix is not a match', { sub: 'repo:acme/shop:ref:refs/heads/mainx' }, 'shop', undefined],
    [
      'a list claim given as a string does not match by substring',
      { groups: 'shop-devs-2' },
      'shop',
      undefined,
    ],
    ['an operator on every namespace', { email: 'lead@example.com' }, 'anything', 'operator'],
    ['no claims', {}, 'shop', undefined],
    ['a non-string value in the list', { groups: [1, null, 'sre'] }, 'shop', 'viewer'],
  ])('%s', (_title, claims, ns, role) => {
    expect(roleFor(RULES, claims, ns)).toBe(role);
  });

  it('no rules: no role', () => {
    expect(roleFor([], { sub: 'a', groups: ['sre'] }, 'shop')).toBeUndefined();
  });
});

describe('allows', () => {
  it.each([
    ['operator', 'viewer', true],
    ['operator', 'operator', true],
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    [undefined, 'viewer', false],
  ] as const)('%s may do what %s may: %s', (role, needed, ok) => {
    expect(allows(role, needed)).toBe(ok);
  });
});

describe('parseAccessRules', () => {
  it('accepts valid rules, with and without namespaces', () => {
    expect(parseAccessRules(RULES, 'clusters[0].access')).toEqual(RULES);
  });
  it.each([
    ['not a list', { claim: 'sub' }, /clusters\[0\]\.access must be a list/],
    ['a rule that is not an object', ['x'], /access\[0\] must be an object/],
    [
      'an unknown field',
      [{ claim: 'sub', value: 'a', role: 'viewer', admin: true }],
      /access\[0\]\.admin is not a field/,
    ],
    [
      'a bad claim name',
      [{ claim: 'a b', value: 'a', role: 'viewer' }],
      /access\[0\]\.claim must be a claim name/,
    ],
    [
      'an empty value',
      [{ claim: 'sub', value: '', role: 'viewer' }],
      /access\[0\]\.value must be a non-empty string/,
    ],
    [
      'a long value',
      [{ claim: 'sub', value: 'v'.repeat(257), role: 'viewer' }],
      /value must be a non-empty string/,
    ],
    [
      'an unknown role',
      [{ claim: 'sub', value: 'a', role: 'admin' }],
      /access\[0\]\.role must be one of viewer, operator/,
    ],
    [
      'empty namespaces',
      [{ claim: 'sub', value: 'a', role: 'viewer', namespaces: [] }],
      /namespaces must be a non-empty list/,
    ],
    [
      'a bad namespace',
      [{ claim: 'sub', value: 'a', role: 'viewer', namespaces: ['Shop'] }],
      /namespaces\[0\] must be a namespace name/,
    ],
  ])('refuses %s', (_title, raw, message) => {
    expect(() => parseAccessRules(raw, 'clusters[0].access')).toThrow(AccessRuleError);
    expect(() => parseAccessRules(raw, 'clusters[0].access')).toThrow(message);
  });
});
