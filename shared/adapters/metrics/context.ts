/**
 * What one provider call works with: the HTTP policy of its cluster, its deadline, the clock, the OAuth2 tokens of
 * the control plane and (for SigV4 and CloudWatch) the function's own AWS credentials and the roles it may assume.
 * Plus the time bound every call runs under.
 */
import type { AssumedRoles } from '../aws/assume-role.js';
import type { AwsCredentials } from '../aws/eks-token.js';
import type { HttpPolicy } from './http.js';
import type { OAuth2TokenCache } from './oauth2.js';

/** The function's AWS identity, for SigV4-signed Prometheus queries. */
export interface AwsSigning {
  credentials: () => Promise<AwsCredentials>;
  /** Default region when the metric names none (`AWS_REGION` of the function). */
  region?: string;
  /** The roles a metric's `sigv4.roleArn` may name (none: every roleArn is refused, naming the setting). */
  roles?: AssumedRoles;
}

/** One provider call's context. */
export interface CallContext {
  policy: HttpPolicy;
  /** Epoch milliseconds by which the call must have ended. */
  deadline: number;
  now: () => number;
  aws?: AwsSigning;
  /** OAuth2 tokens reused within their lifetime (per cluster, token URL, client, scopes and secret). */
  tokens: OAuth2TokenCache;
}

/** An abort signal for the earlier of the provider's own timeout and the invocation's deadline. */
export interface Bound {
  signal: AbortSignal;
  /** Go's wording for the abort, and which limit it was. */
  reason: () => string;
  clear: () => void;
}

/**
 * Bounds a call by `timeoutMs` (the metric's timeout) and by the context's deadline, whichever comes first.
 *
 * @example const b = bound(ctx, 30_000); try { await send({ ...call, signal: b.signal }) } finally { b.clear() }
 */
export function bound(ctx: CallContext, timeoutMs: number): Bound {
  const controller = new AbortController();
  const left = ctx.deadline - ctx.now();
  const byDeadline = left < timeoutMs;
  const timer = setTimeout(() => controller.abort(), Math.max(0, Math.min(left, timeoutMs)));
  return {
    signal: controller.signal,
    reason: () =>
      byDeadline
        ? "context deadline exceeded (the invocation's remaining time ran out)"
        : 'context deadline exceeded',
    clear: () => clearTimeout(timer),
  };
}
