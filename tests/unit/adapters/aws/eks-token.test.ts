import { describe, it, expect } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { EKS_TOKEN_RENEW_MS, EksTokenCache, eksToken } from '../../../../shared/adapters/aws/eks-token.js';
import { eksTokenSource } from '../../../../shared/runtimes/lambda/wiring.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2026-03-01T12:00:00Z');
const input = { clusterName: 'prod-eu', region: 'eu-west-1', credentials, now };

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const b64 = token.slice('k8s-aws-v1.'.length);
  expect(b64).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(b64, 'base64url').toString('utf8'));
}

/** An independent SigV4 computation of the presigned URL's signature (AWS docs, "Create a signed request"). */
function expectedSignature(url: URL, cluster: string, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = params
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const canonical = [
    'GET',
    '/',
    query,
    `host:${url.hostname}`,
    `x-k8s-aws-id:${cluster}`,
    '',
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const scope = url.searchParams.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const [day, region, service] = scope.split('/');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(day!).digest();
  for (const part of [region!, service!, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('eksToken', () => {
  it('is k8s-aws-v1. + base64url of a presigned STS GetCallerIdentity URL with x-k8s-aws-id signed', async () => {
    const token = await eksToken(input);
    expect(token.length).toBeLessThan(4096);
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260301/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20260301T120000Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(q['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(q['X-Amz-Signature']).toBe(expectedSignature(url, 'prod-eu', credentials.secretAccessKey));
    // Each query parameter appears once (the server rejects repeated values).
    expect(new Set([...url.searchParams.keys()]).size).toBe([...url.searchParams.keys()].length);
  });

  it('carries the session token of temporary credentials', async () => {
    const url = decode(
      await eksToken({ ...input, credentials: { ...credentials, sessionToken: 'FwoGZXIvYXdzEJr//token' } }),
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEJr//token');
  });

  it('binds the token to the cluster name', async () => {
    const a = decode(await eksToken(input)).searchParams.get('X-Amz-Signature');
    const b = decode(await eksToken({ ...input, clusterName: 'other' })).searchParams.get('X-Amz-Signature');
    expect(a).not.toBe(b);
  });

  it.each([
    [{ clusterName: 'bad name' }, 'invalid cluster name'],
    [{ region: 'evil.com/x' }, 'invalid region'],
  ])('rejects %p', async (patch, message) => {
    await expect(eksToken({ ...input, ...patch })).rejects.toThrow(message);
  });
});

describe('EksTokenCache', () => {
  it('reuses a token for 14 minutes, then renews it', async () => {
    let minted = 0;
    const cache = new EksTokenCache(async (i) => `k8s-aws-v1.${++minted}-${i.now.getTime()}`);
    const at = (ms: number) => ({ ...input, now: new Date(now.getTime() + ms) });
    const first = await cache.get(at(0));
    expect(await cache.get(at(EKS_TOKEN_RENEW_MS - 1))).toBe(first);
    const renewed = await cache.get(at(EKS_TOKEN_RENEW_MS));
    expect(renewed).not.toBe(first);
    expect(minted).toBe(2);
    expect(await cache.get({ ...at(EKS_TOKEN_RENEW_MS), clusterName: 'other' })).not.toBe(renewed);
    cache.clear();
    await cache.get(at(EKS_TOKEN_RENEW_MS));
    expect(minted).toBe(4);
  });

  it('mints a new token when asked for a fresh one (the cached one was refused with a 401)', async () => {
    let minted = 0;
    const cache = new EksTokenCache(async () => `k8s-aws-v1.${++minted}`);
    expect(await cache.get(input)).toBe('k8s-aws-v1.1');
    expect(await cache.get(input)).toBe('k8s-aws-v1.1');
    expect(await cache.get(input, true)).toBe('k8s-aws-v1.2');
    expect(await cache.get(input)).toBe('k8s-aws-v1.2');
  });

  it('eksTokenSource signs with the function credentials for the entry cluster and region', async () => {
    const seen: { cluster: string; region: string; key: string; fresh: boolean }[] = [];
    let n = 0;
    const cache = new EksTokenCache(async () => `k8s-aws-v1.${++n}`);
    const get = cache.get.bind(cache);
    cache.get = (i, fresh = false) => {
      seen.push({ cluster: i.clusterName, region: i.region, key: i.credentials.accessKeyId, fresh });
      return get(i, fresh);
    };
    const source = eksTokenSource(
      async () => ({ ...credentials, sessionToken: 'tok' }),
      cache,
      () => now,
    );
    const entry = {
      name: 'c',
      source: 'eks' as const,
      clusterName: 'prod-eu',
      region: 'eu-west-1',
      endpoint: 'https://x.example',
      caData: 'x',
    };
    expect(await source(entry, { fresh: false })).toBe('k8s-aws-v1.1');
    expect(await source(entry, { fresh: false })).toBe('k8s-aws-v1.1');
    expect(await source(entry, { fresh: true })).toBe('k8s-aws-v1.2');
    expect(seen.map((s) => s.fresh)).toEqual([false, false, true]);
    expect(seen[0]).toMatchObject({ cluster: 'prod-eu', region: 'eu-west-1', key: 'AKIDEXAMPLE' });
  });
});
