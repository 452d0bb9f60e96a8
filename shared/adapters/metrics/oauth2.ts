/**
 * OAuth2 client credentials for the prometheus and web providers, as Go's `golang.org/x/oauth2/clientcredentials`
 * does for Argo: `POST <tokenUrl>` with the form `grant_type=client_credentials` (and `scope`, space-joined), the
 * client id and secret as HTTP basic auth (each query-escaped first, as Go does); when the token endpoint refuses
 * that, once more with `client_id`/`client_secret` in the form instead (Go's auto-detected auth style), and the style
 * that worked is remembered. The token goes on the query as `Authorization: <type> <token>` (`Bearer`).
 *
 * The token URL is an address requested on the tenant's behalf: it goes through the same client as the query (the
 * cluster's allow-list on the resolved IP, redirects only to allowed addresses, no `Authorization` to another host),
 * its answer capped at {@link MAX_TOKEN_BODY_BYTES}, under the query's own time bound. Tokens are reused while valid
 * (`expires_in`, less a margin, at most an hour) per cluster, token URL, client id, scopes and secret digest, so a
 * token is never shared across clusters or secrets; a token the provider answers 401 to is forgotten.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { OAuth2Settings } from '../../core/analysis/provider-auth.js';
import type { Bound, CallContext } from './context.js';
import { ProviderCallError, send, type HttpAnswer } from './http.js';

/** Largest token endpoint answer read (a token response is a few KiB at most). */
export const MAX_TOKEN_BODY_BYTES = 64 * 1024;
/** A cached token is not used in its last 30 s (Go's own margin is 10 s; a query may take longer). */
export const TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** Longest a token is reused, whatever `expires_in` says. */
export const MAX_TOKEN_REUSE_MS = 60 * 60 * 1000;
/** Tokens kept at most (the oldest is dropped first). */
export const MAX_CACHED_TOKENS = 256;

type AuthStyle = 'header' | 'params';

/** Tokens and learned auth styles of one control plane. */
export class OAuth2TokenCache {
  private readonly tokens = new Map<string, { authorization: string; until: number }>();
  private readonly styles = new Map<string, AuthStyle>();

  /** A valid `Authorization` value for `key` at `now`, if cached. */
  get(key: string, now: number): string | undefined {
    const hit = this.tokens.get(key);
    if (hit && now < hit.until) return hit.authorization;
    if (hit) this.tokens.delete(key);
    return undefined;
  }

  /** Keeps a token until `until` (epoch ms). */
  set(key: string, authorization: string, until: number): void {
    this.tokens.delete(key);
    this.tokens.set(key, { authorization, until });
    trim(this.tokens);
  }

  /** Forgets the token of `key` (the provider refused it). */
  drop(key: string): void {
    this.tokens.delete(key);
  }

  /** How many tokens are cached. */
  get size(): number {
    return this.tokens.size;
  }

  style(key: string): AuthStyle | undefined {
    return this.styles.get(key);
  }

  learn(key: string, style: AuthStyle): void {
    this.styles.set(key, style);
    trim(this.styles);
  }
}

function trim(map: Map<string, unknown>): void {
  while (map.size > MAX_CACHED_TOKENS) map.delete(map.keys().next().value as string);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The cache key of a token: cluster, token URL, client id, scopes and the secret's digest (never the secret). */
export function tokenKey(cluster: string, s: OAuth2Settings): string {
  return sha256(JSON.stringify([cluster, s.tokenUrl, s.clientId, s.scopes, sha256(s.clientSecret)]));
}

/** Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` percent-encoded, space as `+`. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function tokenRequest(
  s: OAuth2Settings,
  style: AuthStyle,
): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams();
  if (style === 'params') {
    form.set('client_id', s.clientId);
    form.set('client_secret', s.clientSecret);
  }
  form.set('grant_type', 'client_credentials');
  if (s.scopes.length > 0) form.set('scope', s.scopes.join(' '));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (style === 'header') {
    const basic = `${goQueryEscape(s.clientId)}:${goQueryEscape(s.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  return { headers, body: form.toString() };
}

/** A token endpoint answer that is not a token (the HTTP exchange itself worked). */
class TokenRefused extends ProviderCallError {}

/** Go's `Token.Type()`: the `token_type` with bearer, mac and basic capitalised, default `Bearer`. */
function tokenType(raw: string): string {
  const known: Record<string, string> = { bearer: 'Bearer', mac: 'MAC', basic: 'Basic' };
  return known[raw.toLowerCase()] ?? (raw || 'Bearer');
}

/** JSON (the standard) or a form-encoded body (what some servers send, and Go accepts). */
function tokenFields(body: string): { access?: unknown; type?: unknown; expiresIn?: unknown } {
  if (body.trimStart().startsWith('{')) {
    try {
      const doc = JSON.parse(body) as Record<string, unknown>;
      return { access: doc.access_token, type: doc.token_type, expiresIn: doc.expires_in };
    } catch {
      return {};
    }
  }
  const form = new URLSearchParams(body);
  return {
    access: form.get('access_token'),
    type: form.get('token_type'),
    expiresIn: form.get('expires_in'),
  };
}

/** The refusal message: Go's `oauth2: cannot fetch token: 401 Unauthorized`, plus the RFC 6749 error code. */
function refusal(answer: HttpAnswer): string {
  let detail = '';
  try {
    const doc = JSON.parse(answer.body) as { error?: unknown; error_description?: unknown };
    if (typeof doc.error === 'string' && doc.error)
      detail = `: ${JSON.stringify(doc.error.slice(0, 100))}${typeof doc.error_description === 'string' ? ` ${JSON.stringify(doc.error_description.slice(0, 200))}` : ''}`;
  } catch {
    detail = '';
  }
  return (
    `oauth2: cannot fetch token: ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`.trimEnd() + detail
  );
}

/** One token request in `style`: the `Authorization` value and how long it may be reused (0: not at all). */
async function fetchToken(
  s: OAuth2Settings,
  style: AuthStyle,
  ctx: CallContext,
  b: Bound,
): Promise<{ authorization: string; lifetimeMs: number }> {
  const { headers, body } = tokenRequest(s, style);
  let answer: HttpAnswer;
  try {
    answer = await send(
      { method: 'POST', url: s.tokenUrl, headers, body, signal: b.signal, abortReason: b.reason },
      { ...ctx.policy, maxBodyBytes: Math.min(ctx.policy.maxBodyBytes, MAX_TOKEN_BODY_BYTES) },
    );
  } catch (err) {
    throw new ProviderCallError(`oauth2 token request: ${(err as Error).message}`);
  }
  if (answer.status < 200 || answer.status > 299) throw new TokenRefused(refusal(answer));
  const f = tokenFields(answer.body);
  if (typeof f.access !== 'string' || f.access === '')
    throw new TokenRefused('oauth2: server response missing access_token');
  const seconds = Number(f.expiresIn);
  return {
    authorization: `${tokenType(typeof f.type === 'string' ? f.type : '')} ${f.access}`,
    lifetimeMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0,
  };
}

/** A token from the cache, or fetched (and cached when the endpoint says how long it lives). */
export interface Authorization {
  /** The `Authorization` header value (`Bearer <token>`). */
  value: string;
  /** The cache key, to forget the token when the provider refuses it. */
  key: string;
}

/**
 * The `Authorization` value for a query made with OAuth2 settings `s`.
 *
 * @throws {@link ProviderCallError} `oauth2: cannot fetch token: 401 Unauthorized` when the endpoint refuses the
 *   client, `oauth2 token request: …` when it cannot be reached (allow-list, transport, time bound).
 */
export async function authorization(
  s: OAuth2Settings,
  ctx: CallContext,
  b: Bound,
  cache: OAuth2TokenCache,
): Promise<Authorization> {
  const key = tokenKey(ctx.policy.cluster, s);
  const cached = cache.get(key, ctx.now());
  if (cached) return { value: cached, key };
  const styleKey = sha256(JSON.stringify([ctx.policy.cluster, s.tokenUrl, s.clientId]));
  const learned = cache.style(styleKey);
  let got: { authorization: string; lifetimeMs: number };
  try {
    got = await fetchToken(s, learned ?? 'header', ctx, b);
    if (!learned) cache.learn(styleKey, 'header');
  } catch (err) {
    if (learned || !(err instanceof TokenRefused)) throw err;
    got = await fetchToken(s, 'params', ctx, b);
    cache.learn(styleKey, 'params');
  }
  const reuse = Math.min(got.lifetimeMs - TOKEN_EXPIRY_MARGIN_MS, MAX_TOKEN_REUSE_MS);
  if (reuse > 0) cache.set(key, got.authorization, ctx.now() + reuse);
  return { value: got.authorization, key };
}
