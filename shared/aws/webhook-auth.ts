/**
 * HMAC-SHA256 authentication of the promote webhook (docs/security.md, reliability-security.md §1).
 *
 * Headers: `x-sluice-key-id`, `x-sluice-timestamp` (unix seconds), `x-sluice-signature: v1=<hex>[,v1=<hex>…]`.
 * MAC = HMAC-SHA256(secret, `<timestamp>.<raw body>`) over the raw bytes. Any `v1` matching any secret passes
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

function mac(secret: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`)
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

/** Verify a webhook request. Never throws: every failure is `{ ok: false, reason }` (answer 401, generic body). */
export function verifySignature(input: VerifyInput): VerifyResult {
  try {
    const tolerance = input.toleranceSeconds ?? 300;
    const keyId = header(input.headers, HEADER_KEY_ID);
    const ts = header(input.headers, HEADER_TIMESTAMP);
    const sig = header(input.headers, HEADER_SIGNATURE);
    if (!ts || !sig) return { ok: false, reason: 'missing timestamp or signature header' };
    if (!/^\d{1,12}$/.test(ts.trim())) return { ok: false, reason: 'malformed timestamp' };
    const skew = Number(ts.trim()) - Math.floor(input.now.getTime() / 1000);
    if (skew < -tolerance) return { ok: false, reason: `timestamp too old (${-skew}s > ${tolerance}s)` };
    if (skew > tolerance) return { ok: false, reason: `timestamp in the future (${skew}s > ${tolerance}s)` };
    const given = parseSignatures(sig);
    if (!given || given.length === 0)
      return { ok: false, reason: 'malformed signature header (expected v1=<64 hex>)' };
    if (input.secrets.length === 0) return { ok: false, reason: 'no secrets configured' };
    const ordered = [...input.secrets].sort((a, b) => Number(b.id === keyId) - Number(a.id === keyId));
    for (const s of ordered) {
      const expected = mac(s.secret, ts.trim(), input.rawBody);
      // Compare every candidate (no early exit inside the loop over signatures).
      let match = false;
      for (const g of given) match = (g.length === expected.length && timingSafeEqual(g, expected)) || match;
      if (match) return { ok: true, keyId: s.id };
    }
    return { ok: false, reason: 'signature mismatch' };
  } catch (err) {
    return { ok: false, reason: `verification error: ${(err as Error).message}` };
  }
}

/** Headers for a signed request (clients and tests). */
export function signRequest(
  secret: string,
  keyId: string,
  body: string | Buffer,
  now: Date,
): Record<string, string> {
  const ts = String(Math.floor(now.getTime() / 1000));
  return {
    [HEADER_KEY_ID]: keyId,
    [HEADER_TIMESTAMP]: ts,
    [HEADER_SIGNATURE]: `v1=${mac(secret, ts, body).toString('hex')}`,
  };
}

/** HMAC-SHA256 hex of `payload` alone (the GitHub `X-Hub-Signature-256` digest; used to check the test vector). */
export function hmacHex(secret: string, payload: string | Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}
