/**
 * Client of the signed promotion API (the promote function, or `sluice run`'s local server): builds the route,
 * signs it (HMAC-SHA256 over the newline-separated signing string of shared/app/http-api/webhook-auth.ts, the
 * Idempotency-Key included) and returns the status and parsed body.
 */
import { signRequest, type WebhookSecret } from '../../app/http-api/webhook-auth.js';

/** One API call. `action` undefined reads the Rollout (GET). */
export interface ApiCall {
  server: string;
  cluster: string;
  namespace: string;
  name: string;
  action?: string;
  expectedStep?: number;
  reason?: string;
  /** Sent as the signed `Idempotency-Key` header: a retry under the same key is answered 409, not acted twice. */
  idempotencyKey?: string;
  secret: WebhookSecret;
  now?: Date;
}

/** The route of a call, e.g. `/v1/clusters/c/namespaces/ns/rollouts/r/promote`. */
export function apiPath(c: Pick<ApiCall, 'cluster' | 'namespace' | 'name' | 'action'>): string {
  const base = `/v1/clusters/${encodeURIComponent(c.cluster)}/namespaces/${c.namespace}/rollouts/${c.name}`;
  return c.action ? `${base}/${c.action}` : base;
}

/**
 * Sends one signed request; resolves with the HTTP status and the JSON body (or `{message: <text>}`).
 * Rejects only when the server cannot be reached.
 */
export async function callApi(c: ApiCall): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload: Record<string, unknown> = {};
  if (c.expectedStep !== undefined) payload.expectedStep = c.expectedStep;
  if (c.reason !== undefined) payload.reason = c.reason;
  const body = c.action ? JSON.stringify(payload) : '';
  const method = c.action ? 'POST' : 'GET';
  const url = new URL(apiPath(c), c.server);
  const headers: Record<string, string> = signRequest({
    secret: c.secret.secret,
    keyId: c.secret.id,
    method,
    path: url.pathname,
    body,
    ...(c.idempotencyKey === undefined ? {} : { idempotencyKey: c.idempotencyKey }),
    now: c.now ?? new Date(),
  });
  if (body) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach ${url.origin}${cause ? ` (${cause})` : ''}`, { cause: err });
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: { message: text } };
  }
}
