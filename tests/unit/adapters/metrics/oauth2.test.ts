/**
 * The pure parts of the OAuth2 client: Go's query escaping of the client id and secret, the token cache's key (one
 * token per cluster, token URL, client, scopes and secret) and its expiry and size bound.
 */
import { describe, expect, it } from '@jest/globals';
import {
  goQueryEscape,
  MAX_CACHED_TOKENS,
  OAuth2TokenCache,
  tokenKey,
} from '../../../../shared/adapters/metrics/oauth2.js';

describe('goQueryEscape (url.QueryEscape)', () => {
  it.each([
    ['sluice', 'sluice'],
    ['my client', 'my+client'],
    ['a+b/c=d', 'a%2Bb%2Fc%3Dd'],
    ["!'()*", '%21%27%28%29%2A'],
    ['-_.~', '-_.~'],
    ['é', '%C3%A9'],
    ['a:b', 'a%3Ab'],
  ])('%j → %j', (raw, escaped) => {
    expect(goQueryEscape(raw)).toBe(escaped);
  });
});

describe('tokenKey', () => {
  const s = { tokenUrl: 'https://idp/token', clientId: 'c', clientSecret: 'one', scopes: ['a', 'b'] };
  it('differs by cluster, token URL, client, scopes and secret; never contains the secret', () => {
    const base = tokenKey('c1', s);
    const variants = [
      tokenKey('c2', s),
      tokenKey('c1', { ...s, tokenUrl: 'https://idp/other' }),
      tokenKey('c1', { ...s, clientId: 'd' }),
      tokenKey('c1', { ...s, scopes: ['a'] }),
      tokenKey('c1', { ...s, scopes: ['b', 'a'] }),
      tokenKey('c1', { ...s, clientSecret: 'two' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(tokenKey('c1', { ...s })).toBe(base);
    expect(base).not.toContain('one');
  });
});

describe('OAuth2TokenCache', () => {
  it('answers a token until its time, then forgets it; drop forgets at once', () => {
    const cache = new OAuth2TokenCache();
    cache.set('k', 'Bearer t', 1_000);
    expect(cache.get('k', 999)).toBe('Bearer t');
    expect(cache.get('k', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('k', 'Bearer t', 5_000);
    cache.drop('k');
    expect(cache.get('k', 0)).toBeUndefined();
  });

  it(`keeps at most ${MAX_CACHED_TOKENS} tokens, dropping the oldest`, () => {
    const cache = new OAuth2TokenCache();
    for (let i = 0; i <= MAX_CACHED_TOKENS; i++) cache.set(`k${i}`, `Bearer ${i}`, 10_000);
    expect(cache.size).toBe(MAX_CACHED_TOKENS);
    expect(cache.get('k0', 0)).toBeUndefined();
    expect(cache.get(`k${MAX_CACHED_TOKENS}`, 0)).toBe(`Bearer ${MAX_CACHED_TOKENS}`);
  });
});
