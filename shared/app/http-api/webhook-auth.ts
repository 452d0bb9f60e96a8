/**
 * HMAC-SHA256 authentication of the promote webhook (docs/security.md, "Promote webhook authentication").
 *
 * Headers: `x-sluice-key-id`, `x-sluice-timestamp` (unix seconds), `x-sluice-signature: v1=<hex>[,v1=<hex>…]`.
 * MAC = HMAC-SHA256(secret, `<timestamp>.<METHOD>.<path>.<raw body>`): the upper-case HTTP method, the raw request
 * path as the client sent it without the query string, then the body bytes exactly as received. Binding method and
 * path means a signature for one action on one rollout cannot be replayed to another action, rollout or cluster.
 * Any `v1` matching any secret passes
 * (rotation); the key id only picks which secret to try first. Timestamps outside ±tolerance (past or future) are
 * rejected. Hex and length are validated before a constant-time compare; verification never throws.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HEADER_KEY_ID = 'x-sluice-key-id';
export const HEADER_TIMESTAMP = 'x-sluice-timestamp';
export const HEADER_SIGNATURE = 'x-sluice-signature';
/** At most this many `v1=` entries are examined (bounds the work an attacker can cause). */
export const MAX_SIGNATURES = 5;

/** One signing secret; `id` is what clients send in `x-sluice-key-id`. */
export interface WebhookSecret {
  id: string;
  secret: string;
}

export type VerifyResult = { ok: true; keyId: string } | { ok: false; reason: string };

export interface VerifyInput {
  /** Request headers; names are matched case-insensitively. */
  headers: Record<string, string | string[] | undefined>;
  /** The HTTP method (compared upper-case). */
  method: string;
  /** The raw request path (e.g. API Gateway's `rawPath`); anything from `?` on is ignored. */
  path: string;
  /** The body exactly as received. */
  rawBody: string | Buffer;
  /** Current secret first, then previous (and pending during a rotation). */
  secrets: WebhookSecret[];
  now: Date;
  toleranceSeconds?: number;
}

function header(headers: VerifyInput['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? v.join(',') : v;
  }
  return undefined;
}

/** What is signed before the body: `<timestamp>.<METHOD>.<path>.` (path without its query string). */
export function signingPrefix(timestamp: string, method: string, path: string): string {
  const bare = path.split('?', 1)[0] ?? '';
  return `${timestamp}.${method.toUpperCase()}.${bare}.`;
}

function mac(secret: string, prefix: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(prefix, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

/** The `v1=<hex>` signatures in a header value; undefined when any entry is malformed. */
function parseSignatures(value: string): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (const part of value.split(',').slice(0, MAX_SIGNATURES)) {
    const m = /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part);
    if (!m) return undefined;
    out.push(Buffer.from(m[1] as string, 'hex'));
  }
  return out;
}

/** Why a timestamp header is refused: malformed, or outside ±`tolerance` seconds of `now`. */
function timestampProblem(ts: string, now: Date, tolerance: number): string | undefined {
  if (!/^\d{1,12}$/.test(ts)) return 'malformed timestamp';
  const skew = Number(ts) - Math.floor(now.getTime() / 1000);
  if (skew < -tolerance) return `timestamp too old (${-skew}s > ${tolerance}s)`;
  if (skew > tolerance) return `timestamp in the future (${skew}s > ${tolerance}s)`;
  return undefined;
}

/** Why the request cannot be checked at all: no secrets, or a malformed method or path. */
function requestProblem(input: VerifyInput): string | undefined {
  if (input.secrets.length === 0) return 'no secrets configured';
  if (typeof input.method !== 'string' || !/^[A-Za-z]{1,16}$/.test(input.method))
    return 'missing or malformed method';
  if (typeof input.path !== 'string' || !input.path.startsWith('/')) return 'missing or malformed path';
  return undefined;
}

/** Whether any given signature equals `expected`, comparing every one of them in constant time. */
function anyEqual(given: Buffer[], expected: Buffer): boolean {
  // Compare every candidate (no early exit inside the loop over signatures).
  let match = false;
  for (const g of given) match = (g.length === expected.length && timingSafeEqual(g, expected)) || match;
  return match;
}

/** The id of the first secret (the one named by `keyId` first) whose MAC is among the given signatures. */
function matchingKey(
  input: VerifyInput,
  keyId: string | undefined,
  prefix: string,
  given: Buffer[],
): string | undefined {
  const ordered = [...input.secrets].sort((a, b) => Number(b.id === keyId) - Number(a.id === keyId));
  return ordered.find((s) => anyEqual(given, mac(s.secret, prefix, input.rawBody)))?.id;
}

function verify(input: VerifyInput): VerifyResult {
  const rawTs = header(input.headers, HEADER_TIMESTAMP);
  const sig = header(input.headers, HEADER_SIGNATURE);
  if (!rawTs || !sig) return { ok: false, reason: 'missing timestamp or signature header' };
  const ts = rawTs.trim();
  const late = timestampProblem(ts, input.now, input.toleranceSeconds ?? 300);
  if (late) return { ok: false, reason: late };
  const given = parseSignatures(sig);
  if (!given || given.length === 0)
    return { ok: false, reason: 'malformed signature header (expected v1=<64 hex>)' };
  const problem = requestProblem(input);
  if (problem) return { ok: false, reason: problem };
  const prefix = signingPrefix(ts, input.method, input.path);
  const keyId = matchingKey(input, header(input.headers, HEADER_KEY_ID), prefix, given);
  return keyId === undefined ? { ok: false, reason: 'signature mismatch' } : { ok: true, keyId };
}

/** Verify a webhook request. Never throws: every failure is `{ ok: false, reason }` (answer 401, generic body). */
export function verifySignature(input: VerifyInput): VerifyResult {
  try {
    return verify(input);
  } catch (err) {
    return { ok: false, reason: `verification error: ${(err as Error).message}` };
  }
}

/** What {@link signRequest} signs. */
export interface SignInput {
  secret: string;
  keyId: string;
  /** HTTP method, e.g. `POST` (upper-cased before signing). */
  method: string;
  /** Request path exactly as it will be sent, e.g. `/v1/clusters/eu-1/namespaces/shop/rollouts/reviews/promote`. */
  path: string;
  /** The body bytes exactly as they will be sent (`''` for none). */
  body: string | Buffer;
  now: Date;
}

/**
 * Headers for a signed request (clients and tests).
 *
 * @example
 * const headers = signRequest({ secret, keyId: 'k1', method: 'POST', path, body: '{}', now: new Date() });
 */
export function signRequest(input: SignInput): Record<string, string> {
  const ts = String(Math.floor(input.now.getTime() / 1000));
  const prefix = signingPrefix(ts, input.method, input.path);
  return {
    [HEADER_KEY_ID]: input.keyId,
    [HEADER_TIMESTAMP]: ts,
    [HEADER_SIGNATURE]: `v1=${mac(input.secret, prefix, input.body).toString('hex')}`,
  };
}

/** HMAC-SHA256 hex of `payload` alone (the GitHub `X-Hub-Signature-256` digest; used to check the test vector). */
export function hmacHex(secret: string, payload: string | Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}
