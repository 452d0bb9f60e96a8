import { describe, expect, it } from '@jest/globals';
import {
  claimsProblem,
  claimValue,
  cookieValue,
  crossSiteProblem,
  csrfFor,
  jwtCaller,
  may,
  tokenCaller,
  type LocalToken,
} from '../../../../shared/app/http-api/dashboard/identity.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const EXPECTED = { issuer: 'https://issuer.example', audience: ['sluice', 'sluice-cli'] };
const GOOD = {
  iss: 'https://issuer.example',
  aud: 'sluice',
  sub: 'alice',
  exp: String(T + 600),
  nbf: String(T),
};

describe('claimsProblem: the JWT claim checks', () => {
  it('accepts claims of the configured issuer and audience inside their lifetime', () => {
    expect(claimsProblem(GOOD, EXPECTED, NOW)).toBeUndefined();
    expect(
      claimsProblem({ ...GOOD, aud: '[other sluice-cli]', exp: T + 600 }, EXPECTED, NOW),
    ).toBeUndefined();
    expect(claimsProblem({ ...GOOD, aud: ['x', 'sluice'] }, EXPECTED, NOW)).toBeUndefined();
  });
  it.each([
    ['another issuer', { iss: 'https://evil.example' }, 'token issuer is not the configured issuer'],
    ['no issuer', { iss: undefined }, 'token issuer is not the configured issuer'],
    ['another audience', { aud: 'other' }, 'token audience is not a configured audience'],
    ['an audience list without ours', { aud: '[a b]' }, 'token audience is not a configured audience'],
    ['expired beyond the skew', { exp: String(T - 61) }, 'token expired or has no exp'],
    ['no exp', { exp: undefined }, 'token expired or has no exp'],
    ['a malformed exp', { exp: '12x' }, 'token expired or has no exp'],
    ['not valid yet', { nbf: String(T + 120) }, 'token not valid yet'],
    ['no subject', { sub: '' }, 'token has no subject'],
  ])('refuses %s', (_title, change, problem) => {
    expect(claimsProblem({ ...GOOD, ...change }, EXPECTED, NOW)).toBe(problem);
  });
  it('tolerates a minute of clock skew on exp and nbf', () => {
    expect(
      claimsProblem({ ...GOOD, exp: String(T - 59), nbf: String(T + 59) }, EXPECTED, NOW),
    ).toBeUndefined();
  });
});

describe('claimValue: API Gateway hands lists over as "[a b]"', () => {
  it.each([
    ['[a b  c]', ['a', 'b', 'c']],
    ['[]', []],
    ['plain', 'plain'],
    [42, 42],
  ])('%p → %p', (raw, value) => {
    expect(claimValue(raw)).toEqual(value);
  });
});

describe('jwtCaller: claims map to roles through the cluster access rules', () => {
  const auth = {
    kind: 'jwt' as const,
    ...EXPECTED,
    access: new Map([
      ['eu-1', [{ claim: 'groups', value: 'shop-devs', role: 'operator' as const, namespaces: ['shop'] }]],
      ['us-1', [{ claim: 'groups', value: 'shop-devs', role: 'viewer' as const }]],
    ]),
  };
  const caller = jwtCaller(auth, { ...GOOD, email: 'alice@example.com', groups: '[shop-devs sre]' });
  it('names the caller by subject and email', () => {
    expect(caller.actor).toBe('oidc:alice (alice@example.com)');
    expect(caller.csrf).toBeUndefined();
  });
  it.each([
    ['eu-1', 'shop', 'operator', true],
    ['eu-1', 'shop', 'viewer', true],
    ['eu-1', 'cart', 'viewer', false],
    ['us-1', 'shop', 'viewer', true],
    ['us-1', 'shop', 'operator', false],
    ['unregistered', 'shop', 'viewer', false],
  ] as const)('on %s/%s may act as %s: %s', (cluster, ns, role, ok) => {
    expect(may(caller, role, cluster, ns)).toBe(ok);
  });
});

describe('local tokens', () => {
  const tokens: LocalToken[] = [
    { name: 'operator', role: 'operator', token: 'a'.repeat(64) },
    { name: 'viewer', role: 'viewer', token: 'b'.repeat(64) },
  ];
  it('finds the token in the session cookie, with its CSRF token', () => {
    const c = tokenCaller(tokens, { cookie: `x=1; sluice_session=${'b'.repeat(64)}; y=2` });
    expect(c?.actor).toBe('local:viewer');
    expect(c?.roleOn('any', 'ns')).toBe('viewer');
    expect(c?.csrf).toBe(csrfFor('b'.repeat(64)));
  });
  it('finds it in a bearer header, which needs no CSRF token', () => {
    const c = tokenCaller(tokens, { authorization: `Bearer ${'a'.repeat(64)}` });
    expect(c?.actor).toBe('local:operator');
    expect(c?.csrf).toBeUndefined();
  });
  it.each([
    ['no credential', {}],
    ['a wrong token', { cookie: `sluice_session=${'c'.repeat(64)}` }],
    ['a prefix of a token', { cookie: `sluice_session=${'a'.repeat(63)}` }],
    ['another scheme', { authorization: `Basic ${'a'.repeat(64)}` }],
  ])('refuses %s', (_title, headers) => {
    expect(tokenCaller(tokens, headers)).toBeUndefined();
  });
  it('the CSRF token differs per session token', () => {
    expect(csrfFor('a')).not.toBe(csrfFor('b'));
    expect(csrfFor('a')).toMatch(/^[0-9a-f]{64}$/);
  });
  it('reads one cookie', () => {
    expect(cookieValue('a=1; b=x=y', 'b')).toBe('x=y');
    expect(cookieValue(undefined, 'b')).toBeUndefined();
  });
});

describe('crossSiteProblem', () => {
  const cookieCaller = { actor: 'local:operator', roleOn: () => 'operator' as const, csrf: 'c'.repeat(64) };
  const bearerCaller = { actor: 'oidc:a', roleOn: () => 'operator' as const };
  const origins = ['http://127.0.0.1:8417'];
  it.each([
    [
      'the right origin and CSRF token',
      cookieCaller,
      { origin: origins[0], 'x-sluice-csrf': 'c'.repeat(64) },
      undefined,
    ],
    [
      'another origin',
      cookieCaller,
      { origin: 'http://evil.example', 'x-sluice-csrf': 'c'.repeat(64) },
      'origin http://evil.example is not allowed',
    ],
    ['no origin', cookieCaller, { 'x-sluice-csrf': 'c'.repeat(64) }, 'origin (none) is not allowed'],
    ['no CSRF token', cookieCaller, { origin: origins[0] }, 'missing or wrong CSRF token'],
    [
      'a wrong CSRF token',
      cookieCaller,
      { origin: origins[0], 'x-sluice-csrf': 'd'.repeat(64) },
      'missing or wrong CSRF token',
    ],
    ['a bearer caller from the right origin', bearerCaller, { origin: origins[0] }, undefined],
    ['a bearer caller from another origin', bearerCaller, { origin: 'null' }, 'origin null is not allowed'],
  ])('%s', (_title, caller, headers, problem) => {
    expect(crossSiteProblem(caller, headers as Record<string, string>, origins)).toBe(problem);
  });
});
