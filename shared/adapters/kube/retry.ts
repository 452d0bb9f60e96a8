/**
 * Retry policy and client-side rate limit for Kubernetes calls (docs/security.md, "Kubernetes calls"): capped exponential
 * backoff with full jitter for 5xx / network errors / timeouts, `Retry-After` (+ jitter) for 429, never a retry for
 * other 4xx, and everything bounded by a deadline. No I/O here; time and randomness are injectable.
 */
import type { KubeApiError } from '../../app/kube-port/errors.js';
import { isPreconditionFailed } from './errors-ext.js';

/** Network error codes that no retry can fix (TLS verification and the like). */
const PERMANENT_NETWORK =
  /^(ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL|ERR_INVALID_URL|ClientError)/;

/**
 * Whether a failed call is worth another attempt. Failed preconditions (409, failed JSON Patch `test`) never are,
 * nor is an object etcd refuses as too large (the API server answers `500 etcdserver: request is too large`):
 * resending the same write cannot succeed.
 */
export function shouldRetry(err: KubeApiError): boolean {
  if (isPreconditionFailed(err) || !err.isRetryable) return false;
  if (err.code === 500 && /request is too large/i.test(err.message)) return false;
  if (err.code === 0 && PERMANENT_NETWORK.test(err.reason)) return false;
  if (err.code === 501) return false;
  return true;
}

/** Backoff tuning. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Extra jitter added on top of Retry-After, at most this many ms. */
  retryAfterJitterMs: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 200,
  capMs: 5000,
  retryAfterJitterMs: 1000,
  random: Math.random,
};

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 0). With a `Retry-After` of `s` seconds:
 * at least `s` s plus up to `retryAfterJitterMs` of jitter (API Priority and Fairness always says 1, so clients
 * would otherwise retry in lockstep); otherwise full jitter: `random() * min(cap, base * 2^attempt)`.
 */
export function backoffMs(attempt: number, retryAfterSeconds: number | undefined, o: BackoffOptions): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
    return retryAfterSeconds * 1000 + o.random() * o.retryAfterJitterMs;
  }
  return o.random() * Math.min(o.capMs, o.baseMs * 2 ** attempt);
}

/** Parse a `Retry-After` header: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/**
 * A token bucket: `burst` tokens, refilled at `qps` per second. `reserve()` takes one token and returns how long
 * to wait for it (0 when one was available); waiting callers queue in order because tokens may go negative.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(qps > 0) || !(burst >= 1))
      throw new Error(`rate limit needs qps > 0 and burst >= 1 (got ${qps}, ${burst})`);
    this.tokens = burst;
    this.last = now();
  }

  /** Take one token; the returned delay (ms) is how long the caller must wait before using it. */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Give back a token reserved but not used (the caller gave up, e.g. the deadline was too close). */
  release(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }
}

/** Sleep that keeps no event loop alive needlessly. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
