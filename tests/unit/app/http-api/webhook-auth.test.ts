import { describe, it, expect } from '@jest/globals';
import { hmacHex, signRequest, verifySignature } from '../../../../shared/app/http-api/webhook-auth.js';

const now = new Date('2026-03-01T12:00:00Z');
const nowS = Math.floor(now.getTime() / 1000);
const body = '{"namespace":"shop","rollout":"reviews","expectedStep":2}';
const current = { id: 'k2', secret: 'current-secret' };
const previous = { id: 'k1', secret: 'previous-secret' };
const method = 'POST';
const path = '/v1/clusters/eu-1/namespaces/shop/rollouts/reviews/promote';
const mac = (secret: string, ts: number, b = body, key = '') =>
  hmacHex(secret, `v1\n${ts}\n${method}\n${path}\n${key}\n${b}`);
const sign = (
  secret: { id: string; secret: string },
  over: { method?: string; path?: string; body?: string; idempotencyKey?: string } = {},
) =>
  signRequest({
    secret: secret.secret,
    keyId: secret.id,
    method: over.method ?? method,
    path: over.path ?? path,
    body: over.body ?? body,
    ...(over.idempotencyKey === undefined ? {} : { idempotencyKey: over.idempotencyKey }),
    now,
  });
const sigOf = (headers: Record<string, string>) => (headers['x-sluice-signature'] ?? '').slice(3);
const req = { method, path };

describe('webhook HMAC', () => {
  it('matches the GitHub documentation test vector', () => {
    expect(hmacHex("It's a Secret to Everybody", 'Hello, World!')).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('accepts a request signed by signRequest, reporting the key that matched', () => {
    const headers = sign(current);
    expect(verifySignature({ headers, ...req, rawBody: body, secrets: [current, previous], now })).toEqual({
      ok: true,
      keyId: 'k2',
      signature: sigOf(headers),
    });
  });

  it('accepts the GitHub vector adapted to the timestamped scheme', () => {
    const secret = "It's a Secret to Everybody";
    const headers = {
      'X-Sluice-Key-Id': 'gh',
      'X-Sluice-Timestamp': String(nowS),
      'X-Sluice-Signature': `v1=${mac(secret, nowS, 'Hello, World!')}`,
    };
    expect(
      verifySignature({
        headers,
        ...req,
        rawBody: Buffer.from('Hello, World!'),
        secrets: [{ id: 'gh', secret }],
        now,
      }),
    ).toMatchObject({ ok: true, keyId: 'gh' });
  });

  it('tries the secret named by the key id first', () => {
    const same = { id: 'k3', secret: current.secret };
    const headers = { ...sign(current), 'x-sluice-key-id': 'k3' };
    expect(verifySignature({ headers, ...req, rawBody: body, secrets: [current, same], now })).toMatchObject({
      ok: true,
      keyId: 'k3',
    });
  });

  it('reports an error thrown while verifying instead of throwing', () => {
    const r = verifySignature({
      headers: sign(current),
      ...req,
      rawBody: 1 as never,
      secrets: [current],
      now,
    });
    expect(r.ok ? '' : r.reason).toContain('verification error');
  });

  it('accepts a request still signed with the previous secret during rotation', () => {
    const headers = sign(previous);
    expect(
      verifySignature({ headers, ...req, rawBody: body, secrets: [current, previous], now }),
    ).toMatchObject({
      ok: true,
      keyId: 'k1',
    });
  });

  const good = (over: Record<string, string | undefined> = {}) => ({
    'x-sluice-key-id': 'k2',
    'x-sluice-timestamp': String(nowS),
    'x-sluice-signature': `v1=${mac(current.secret, nowS)}`,
    ...over,
  });

  it.each([
    [
      'a stale timestamp (301 s old)',
      good({
        'x-sluice-timestamp': String(nowS - 301),
        'x-sluice-signature': `v1=${mac(current.secret, nowS - 301)}`,
      }),
      body,
      'timestamp too old',
    ],
    [
      'a future timestamp (301 s ahead)',
      good({
        'x-sluice-timestamp': String(nowS + 301),
        'x-sluice-signature': `v1=${mac(current.secret, nowS + 301)}`,
      }),
      body,
      'timestamp in the future',
    ],
    ['a non-numeric timestamp', good({ 'x-sluice-timestamp': '12:00' }), body, 'malformed timestamp'],
    ['a blank timestamp', good({ 'x-sluice-timestamp': '  ' }), body, 'malformed timestamp'],
    ['a missing signature', good({ 'x-sluice-signature': undefined }), body, 'missing'],
    ['a missing timestamp', good({ 'x-sluice-timestamp': undefined }), body, 'missing'],
    [
      'a short signature',
      good({ 'x-sluice-signature': `v1=${mac(current.secret, nowS).slice(0, 62)}` }),
      body,
      'malformed signature',
    ],
    [
      'a long signature',
      good({ 'x-sluice-signature': `v1=${mac(current.secret, nowS)}00` }),
      body,
      'malformed signature',
    ],
    [
      'a non-hex signature',
      good({ 'x-sluice-signature': `v1=${'z'.repeat(64)}` }),
      body,
      'malformed signature',
    ],
    [
      'upper-case hex',
      good({ 'x-sluice-signature': `v1=${mac(current.secret, nowS).toUpperCase()}` }),
      body,
      'malformed signature',
    ],
    [
      'a doubled entry',
      good({ 'x-sluice-signature': `v1=${mac(current.secret, nowS)},v1=${mac(current.secret, nowS)}` }),
      body,
      'malformed signature',
    ],
    [
      'a second entry after a junk one',
      good({ 'x-sluice-signature': `v1=${'0'.repeat(64)}, v1=${mac(current.secret, nowS)}` }),
      body,
      'malformed signature',
    ],
    [
      'spaces around the entry',
      good({ 'x-sluice-signature': ` v1=${mac(current.secret, nowS)} ` }),
      body,
      'malformed signature',
    ],
    [
      'an Idempotency-Key added after signing',
      good({ 'idempotency-key': 'k-1' }),
      body,
      'signature mismatch',
    ],
    [
      'a signature in the old `.`-joined scheme',
      good({ 'x-sluice-signature': `v1=${hmacHex(current.secret, `${nowS}.${method}.${path}.${body}`)}` }),
      body,
      'signature mismatch',
    ],
    [
      'a sha256= (GitHub style) prefix',
      good({ 'x-sluice-signature': `sha256=${mac(current.secret, nowS)}` }),
      body,
      'malformed signature',
    ],
    ['a tampered body', good(), body.replace('2', '3'), 'signature mismatch'],
    [
      'a signature over the body without timestamp',
      good({ 'x-sluice-signature': `v1=${hmacHex(current.secret, body)}` }),
      body,
      'signature mismatch',
    ],
    [
      'a signature over the old scheme (timestamp and body only)',
      good({ 'x-sluice-signature': `v1=${hmacHex(current.secret, `${nowS}.${body}`)}` }),
      body,
      'signature mismatch',
    ],
    [
      'an unknown secret',
      good({ 'x-sluice-signature': `v1=${mac('other', nowS)}` }),
      body,
      'signature mismatch',
    ],
  ])('rejects %s', (_what, headers, rawBody, reason) => {
    const r = verifySignature({ headers, ...req, rawBody, secrets: [current, previous], now });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toContain(reason);
  });

  it('accepts the edge of the window (exactly 300 s either way)', () => {
    for (const ts of [nowS - 300, nowS + 300]) {
      const headers = good({
        'x-sluice-timestamp': String(ts),
        'x-sluice-signature': `v1=${mac(current.secret, ts)}`,
      });
      expect(verifySignature({ headers, ...req, rawBody: body, secrets: [current], now }).ok).toBe(true);
    }
  });

  it('rejects when no secret is configured, and never throws on odd input', () => {
    expect(verifySignature({ headers: good(), ...req, rawBody: body, secrets: [], now })).toEqual({
      ok: false,
      reason: 'no secrets configured',
    });
    const odd = {
      headers: { 'x-sluice-timestamp': ['1', '2'], 'x-sluice-signature': 'v1=' } as never,
      ...req,
      rawBody: undefined as never,
      secrets: [current],
      now,
    };
    expect(() => verifySignature(odd)).not.toThrow();
    expect(verifySignature(odd).ok).toBe(false);
  });

  describe('binds the method and the path', () => {
    const signedPromote = sign(current);
    const other = '/v1/clusters/eu-1/namespaces/shop/rollouts/ratings/promote';
    it.each([
      ['the abort action of the same rollout', 'POST', path.replace(/promote$/, 'abort')],
      ['the promote-full action of the same rollout', 'POST', `${path}-full`],
      ['another rollout', 'POST', other],
      ['another namespace', 'POST', path.replace('/shop/', '/billing/')],
      ['another cluster', 'POST', path.replace('/eu-1/', '/us-1/')],
      ['a GET of the same path', 'GET', path],
      ['a GET of the rollout', 'GET', path.replace(/\/promote$/, '')],
      ['the path with a trailing slash', 'POST', `${path}/`],
    ])('refuses a signature made for POST /promote when used on %s', (_what, m, p) => {
      const r = verifySignature({
        headers: signedPromote,
        method: m,
        path: p,
        rawBody: body,
        secrets: [current],
        now,
      });
      expect(r).toEqual({ ok: false, reason: 'signature mismatch' });
    });

    it('refuses the old `.` ambiguity: a GET of /reviews.x signed never authenticates /reviews with body `x.`', () => {
      const base = '/v1/clusters/eu-1/namespaces/shop/rollouts/reviews';
      const headers = sign(current, { method: 'GET', path: `${base}.x`, body: '' });
      expect(
        verifySignature({ headers, method: 'GET', path: `${base}.x`, rawBody: '', secrets: [current], now })
          .ok,
      ).toBe(true);
      const moved = verifySignature({
        headers,
        method: 'GET',
        path: base,
        rawBody: 'x.',
        secrets: [current],
        now,
      });
      expect(moved).toEqual({ ok: false, reason: 'signature mismatch' });
    });

    it('signs the Idempotency-Key: removed, changed or added, the signature no longer matches', () => {
      const headers = sign(current, { idempotencyKey: 'k-1' });
      expect(headers['idempotency-key']).toBe('k-1');
      const check = (h: Record<string, string>) =>
        verifySignature({ headers: h, ...req, rawBody: body, secrets: [current], now });
      expect(check(headers)).toEqual({ ok: true, keyId: 'k2', signature: sigOf(headers) });
      const { 'idempotency-key': _dropped, ...without } = headers;
      expect(check(without)).toEqual({ ok: false, reason: 'signature mismatch' });
      expect(check({ ...headers, 'idempotency-key': 'k-2' })).toEqual({
        ok: false,
        reason: 'signature mismatch',
      });
      expect(check({ ...sign(current), 'idempotency-key': 'k-1' })).toEqual({
        ok: false,
        reason: 'signature mismatch',
      });
    });

    it('refuses a signed header sent twice (two names differing in case, or an array of values)', () => {
      const headers = sign(current);
      const sig = headers['x-sluice-signature'] ?? '';
      const check = (h: Record<string, string | string[]>) =>
        verifySignature({ headers: h, ...req, rawBody: body, secrets: [current], now });
      expect(check({ ...headers, 'X-Sluice-Signature': sig })).toEqual({
        ok: false,
        reason: 'repeated signed header',
      });
      expect(check({ ...headers, 'x-sluice-signature': [sig, sig] })).toEqual({
        ok: false,
        reason: 'repeated signed header',
      });
      expect(check({ ...headers, 'x-sluice-signature': [sig] })).toMatchObject({ ok: true });
    });

    it('accepts the same signature on the request it was made for, whatever the method case', () => {
      for (const m of ['POST', 'post']) {
        const r = verifySignature({
          headers: signedPromote,
          method: m,
          path,
          rawBody: body,
          secrets: [current],
          now,
        });
        expect(r).toEqual({ ok: true, keyId: 'k2', signature: sigOf(signedPromote) });
      }
    });

    it('ignores a query string on either side (the path is signed without it)', () => {
      const headers = sign(current, { path: `${path}?dry=1` });
      expect(
        verifySignature({ headers, method, path, rawBody: body, secrets: [current], now }),
      ).toMatchObject({
        ok: true,
        keyId: 'k2',
      });
      expect(
        verifySignature({ headers, method, path: `${path}?x=2`, rawBody: body, secrets: [current], now }).ok,
      ).toBe(true);
    });

    it('signs exactly `v1\\n<timestamp>\\n<METHOD>\\n<path>\\n<key>\\n<body>`', () => {
      expect(sign(current)['x-sluice-signature']).toBe(`v1=${mac(current.secret, nowS)}`);
      expect(sign(current, { method: 'get', path: '/p', body: '' })['x-sluice-signature']).toBe(
        `v1=${hmacHex(current.secret, `v1\n${nowS}\nGET\n/p\n\n`)}`,
      );
      expect(sign(current, { idempotencyKey: 'k-1' })['x-sluice-signature']).toBe(
        `v1=${mac(current.secret, nowS, body, 'k-1')}`,
      );
    });

    it.each([
      ['an empty method', '', path, 'malformed method'],
      ['a method with a dot', 'PO.ST', path, 'malformed method'],
      ['an empty path', method, '', 'malformed path'],
      ['a relative path', method, 'v1/clusters', 'malformed path'],
    ])('rejects %s before comparing', (_what, m, p, reason) => {
      const r = verifySignature({
        headers: sign(current),
        method: m,
        path: p,
        rawBody: body,
        secrets: [current],
        now,
      });
      expect(r.ok ? '' : r.reason).toContain(reason);
    });
  });
});
