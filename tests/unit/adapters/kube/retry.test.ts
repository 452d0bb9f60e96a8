/** The retry policy of Kubernetes calls as pure decisions: which errors retry, backoff, Retry-After, rate limit. */
import { describe, expect, it } from '@jest/globals';
import { KubeApiError, type KubeCall } from '../../../../shared/app/kube-port/errors.js';
import {
  backoffMs,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  shouldRetry,
  TokenBucket,
  type BackoffOptions,
} from '../../../../shared/adapters/kube/retry.js';

const CALL: KubeCall = { verb: 'patch', resource: 'rollouts.argoproj.io', namespace: 'apps', name: 'demo' };
const err = (code: number, reason: string, detail = 'detail'): KubeApiError =>
  new KubeApiError(CALL, code, reason, detail);

describe('shouldRetry', () => {
  it.each<{ case: string; error: KubeApiError; retry: boolean }>([
    { case: '503 Service Unavailable', error: err(503, 'ServiceUnavailable'), retry: true },
    { case: '500 Internal Error', error: err(500, 'InternalError', 'etcd leader changed'), retry: true },
    { case: '504 Gateway Timeout', error: err(504, 'Timeout'), retry: true },
    { case: '429 Too Many Requests', error: err(429, 'TooManyRequests'), retry: true },
    { case: 'connection refused', error: err(0, 'ECONNREFUSED'), retry: true },
    { case: 'connection reset', error: err(0, 'ECONNRESET'), retry: true },
    { case: 'timeout', error: err(0, 'Timeout'), retry: true },
    { case: 'fetch failed', error: err(0, 'NetworkError'), retry: true },
    { case: '409 Conflict', error: err(409, 'Conflict'), retry: false },
    {
      case: '422 failed JSON Patch test',
      error: err(422, 'Invalid', 'JSON Patch test operation failed'),
      retry: false,
    },
    {
      case: '500 "testing value" (old servers)',
      error: err(500, 'InternalError', 'testing value /x failed'),
      retry: false,
    },
    {
      case: '500 etcd request too large',
      error: err(500, 'InternalError', 'etcdserver: request is too large'),
      retry: false,
    },
    { case: '501 Not Implemented', error: err(501, 'NotImplemented'), retry: false },
    { case: '400 Bad Request', error: err(400, 'BadRequest'), retry: false },
    { case: '401 Unauthorized', error: err(401, 'Unauthorized'), retry: false },
    { case: '403 Forbidden', error: err(403, 'Forbidden'), retry: false },
    { case: '404 Not Found', error: err(404, 'NotFound'), retry: false },
    {
      case: '422 Invalid (not a test op)',
      error: err(422, 'Invalid', 'spec.x: Required value'),
      retry: false,
    },
    { case: 'TLS verification failure', error: err(0, 'ERR_TLS_CERT_ALTNAME_INVALID'), retry: false },
    { case: 'unknown certificate authority', error: err(0, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), retry: false },
    { case: 'self-signed certificate', error: err(0, 'SELF_SIGNED_CERT_IN_CHAIN'), retry: false },
    { case: 'expired certificate', error: err(0, 'CERT_HAS_EXPIRED'), retry: false },
    { case: 'invalid URL', error: err(0, 'ERR_INVALID_URL'), retry: false },
    { case: 'client-side error', error: err(0, 'ClientError'), retry: false },
  ])('$case → retry $retry', ({ error, retry }) => {
    expect(shouldRetry(error)).toBe(retry);
  });
});

const fixed = (r: number, o: Partial<BackoffOptions> = {}): BackoffOptions => ({
  ...DEFAULT_BACKOFF,
  random: () => r,
  ...o,
});

describe('backoffMs', () => {
  it.each<{ case: string; attempt: number; retryAfter?: number; random: number; want: number }>([
    { case: 'attempt 0, full jitter at its top', attempt: 0, random: 1, want: 200 },
    { case: 'attempt 1 doubles', attempt: 1, random: 1, want: 400 },
    { case: 'attempt 4', attempt: 4, random: 1, want: 3200 },
    { case: 'attempt 5 is capped at 5 s', attempt: 5, random: 1, want: 5000 },
    { case: 'attempt 30 stays at the cap', attempt: 30, random: 1, want: 5000 },
    { case: 'jitter scales the window', attempt: 3, random: 0.5, want: 800 },
    { case: 'jitter may be zero', attempt: 3, random: 0, want: 0 },
    { case: 'Retry-After 1 s plus the largest jitter', attempt: 0, retryAfter: 1, random: 1, want: 2000 },
    { case: 'Retry-After 1 s with no jitter', attempt: 5, retryAfter: 1, random: 0, want: 1000 },
    { case: 'Retry-After is not capped', attempt: 0, retryAfter: 30, random: 0, want: 30_000 },
    { case: 'Retry-After 0: only the jitter', attempt: 2, retryAfter: 0, random: 0.25, want: 250 },
    { case: 'negative Retry-After ignored: backoff', attempt: 2, retryAfter: -1, random: 1, want: 800 },
  ])('$case → $want ms', ({ attempt, retryAfter, random, want }) => {
    expect(backoffMs(attempt, retryAfter, fixed(random))).toBeCloseTo(want, 6);
  });

  it('uses the tuning it is given', () => {
    const o = fixed(1, { baseMs: 10, capMs: 35, retryAfterJitterMs: 7 });
    expect([0, 1, 2, 3].map((a) => backoffMs(a, undefined, o))).toEqual([10, 20, 35, 35]);
    expect(backoffMs(0, 2, o)).toBe(2007);
  });

  it('never exceeds the cap nor goes below zero for any random value in [0, 1)', () => {
    for (const r of [0, 0.1, 0.5, 0.999]) {
      for (let attempt = 0; attempt < 12; attempt++) {
        const ms = backoffMs(attempt, undefined, fixed(r));
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
      }
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each<{ value: string | undefined; want: number | undefined }>([
    { value: undefined, want: undefined },
    { value: '', want: undefined },
    { value: '   ', want: undefined },
    { value: '1', want: 1 },
    { value: ' 120 ', want: 120 },
    { value: '0', want: 0 },
    { value: 'Thu, 01 Jan 2026 00:00:30 GMT', want: 30 },
    { value: 'Thu, 01 Jan 2026 00:00:00 GMT', want: 0 },
    { value: 'Wed, 31 Dec 2025 23:59:00 GMT', want: 0 },
    { value: 'soon', want: undefined },
  ])('"$value" → $want', ({ value, want }) => {
    expect(parseRetryAfter(value, now)).toBe(want);
  });
});

describe('TokenBucket', () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms) => void (t += ms) };
  };

  it('gives the burst at once, then spaces callers at 1/qps in order', () => {
    const c = clock();
    const bucket = new TokenBucket(5, 3, c.now);
    expect([1, 2, 3].map(() => bucket.reserve())).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBeCloseTo(200, 6);
    expect(bucket.reserve()).toBeCloseTo(400, 6);
    expect(bucket.reserve()).toBeCloseTo(600, 6);
  });

  it('refills at qps per second, never beyond the burst', () => {
    const c = clock();
    const bucket = new TokenBucket(10, 2, c.now);
    bucket.reserve();
    bucket.reserve();
    c.advance(100);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBeCloseTo(100, 6);
    c.advance(60_000);
    expect([1, 2].map(() => bucket.reserve())).toEqual([0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100, 6);
  });

  it('takes back a released token (a caller that gave up)', () => {
    const c = clock();
    const bucket = new TokenBucket(1, 1, c.now);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBeCloseTo(1000, 6);
    bucket.release();
    expect(bucket.reserve()).toBeCloseTo(1000, 6);
    bucket.release();
    bucket.release();
    bucket.release();
    expect(bucket.reserve()).toBe(0);
  });

  it.each([
    { qps: 0, burst: 1 },
    { qps: -1, burst: 1 },
    { qps: Number.NaN, burst: 1 },
    { qps: 5, burst: 0 },
    { qps: 5, burst: 0.5 },
  ])('refuses qps $qps burst $burst', ({ qps, burst }) => {
    expect(() => new TokenBucket(qps, burst)).toThrow(
      `rate limit needs qps > 0 and burst >= 1 (got ${qps}, ${burst})`,
    );
  });
});
