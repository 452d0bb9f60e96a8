/**
 * HMAC-SHA256 authentication of the promote webhook (docs/security.md, "Promote webhook authentication").
 *
 * Headers: `x-sluice-key-id`, `x-sluice-timestamp` (unix seconds), `x-sluice-signature: v1=<64 lower-case hex>`,
 * optionally `Idempotency-Key`. MAC = HMAC-SHA256(secret, signing string), where the signing string is six fields
 * joined by `\n`: `v1`, the timestamp, the upper-case method, the raw path without its query string, the
 * idempotency key (empty when absent), then the body bytes exactly as received. No field but the body (which is
 * last) can hold a newline, so one signing string means one request. Exactly one signature header holding exactly
 * one `v1=` entry in lower-case hex is accepted: a signed request has one spelling, so the verified signature is its
 * identity (the replay memory and the claim are keyed on it). Any configured secret may match (rotation); the key
 * id only picks which secret to try first. Timestamps outside ±tolerance are rejected. Verification never throws.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HEADER_KEY_ID = 'x-sluice-key-id';
export const HEADER_TIMESTAMP = 'x-sluice-timestamp';
export const HEADER_SIGNATURE = 'x-sluice-signature';
export const HEADER_IDEMPOTENCY_KEY = 'idempotency-key';
/** The version field that opens every signing string. */
export const SIGNING_VERSION = 'v1';

/** One signing secret; `id` is what clients send in `x-sluice-key-id`. */
export interface WebhookSecret {
  id: string;
  secret: string;
}

/**
 * The verdict. When ok, `signature` is the verified MAC in lower-case hex: the request's identity, the same
 * whatever else about the request's spelling varies.
 */
export type VerifyResult = { ok: true; keyId: string; signature: string } | { ok: false; reason: string };

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

/** The one value of a header; `null` when it is sent more than once (several names or an array of values). */
function header(headers: VerifyInput['headers'], name: string): string | undefined | null {
  let found: string | undefined | null;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    if (found !== undefined || (Array.isArray(v) && v.length !== 1)) return null;
    found = Array.isArray(v) ? v[0] : v;
  }
  return found;
}

/**
 * What is signed before the body: `v1\n<timestamp>\n<METHOD>\n<path>\n<idempotency key>\n` (path without its
 * query string; the key empty when the request has none).
 */
export function signingPrefix(timestamp: string, method: string, path: string, idempotencyKey = ''): string {
  const bare = path.split('?', 1)[0] ?? '';
  return [SIGNING_VERSION, timestamp, method.toUpperCase(), bare, idempotencyKey, ''].join('\n');
}

function mac(secret: string, prefix: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(prefix, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

/** The one signature of a header value `v1=<64 lower-case hex>`; undefined for any other spelling. */
function parseSignature(value: string): Buffer | undefined {
  const m = /^v1=([0-9a-f]{64})$/.exec(value);
  return m ? Buffer.from(m[1] as string, 'hex') : undefined;
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

/** The id of the first secret (the one named by `keyId` first) whose MAC is among the given signatures. */
function matchingKey(
  input: VerifyInput,
  keyId: string | undefined,
  prefix: string,
  given: Buffer,
): string | undefined {
  const ordered = [...input.secrets].sort((a, b) => Number(b.id === keyId) - Number(a.id === keyId));
  return ordered.find((s) => timingSafeEqual(given, mac(s.secret, prefix, input.rawBody)))?.id;
}

/** The timestamp, signature and idempotency key headers, each sent exactly once (the key at most once). */
function signedHeaders(
  headers: VerifyInput['headers'],
): { ts: string; sig: string; key: string } | { problem: string } {
  const ts = header(headers, HEADER_TIMESTAMP);
  const sig = header(headers, HEADER_SIGNATURE);
  const key = header(headers, HEADER_IDEMPOTENCY_KEY);
  if (ts === null || sig === null || key === null) return { problem: 'repeated signed header' };
  if (!ts || !sig) return { problem: 'missing timestamp or signature header' };
  return { ts: ts.trim(), sig, key: key ?? '' };
}

function verify(input: VerifyInput): VerifyResult {
  const signed = signedHeaders(input.headers);
  if ('problem' in signed) return { ok: false, reason: signed.problem };
  const late = timestampProblem(signed.ts, input.now, input.toleranceSeconds ?? 300);
  if (late) return { ok: false, reason: late };
  const given = parseSignature(signed.sig);
  if (!given) return { ok: false, reason: 'malformed signature header (expected v1=<64 lower-case hex>)' };
  if (signed.key.includes('\n')) return { ok: false, reason: 'malformed idempotency key' };
  const problem = requestProblem(input);
  if (problem) return { ok: false, reason: problem };
  const prefix = signingPrefix(signed.ts, input.method, input.path, signed.key);
  const keyId = matchingKey(input, header(input.headers, HEADER_KEY_ID) ?? undefined, prefix, given);
  return keyId === undefined
    ? { ok: false, reason: 'signature mismatch' }
    : { ok: true, keyId, signature: given.toString('hex') };
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
  /** The `Idempotency-Key` to send (signed, and returned among the headers); none when undefined. */
  idempotencyKey?: string;
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
  const prefix = signingPrefix(ts, input.method, input.path, input.idempotencyKey);
  return {
    [HEADER_KEY_ID]: input.keyId,
    [HEADER_TIMESTAMP]: ts,
    [HEADER_SIGNATURE]: `v1=${mac(input.secret, prefix, input.body).toString('hex')}`,
    ...(input.idempotencyKey === undefined ? {} : { [HEADER_IDEMPOTENCY_KEY]: input.idempotencyKey }),
  };
}

/** HMAC-SHA256 hex of `payload` alone (the GitHub `X-Hub-Signature-256` digest; used to check the test vector). */
export function hmacHex(secret: string, payload: string | Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}
