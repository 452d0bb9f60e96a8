/**
 * Who is calling the dashboard, and what they may do: a local session token (`sluice run`) or the claims of a JWT
 * that API Gateway's JWT authorizer verified (on AWS). Also the cross-site checks of state-changing requests: the
 * Origin header and the per-session CSRF token. Nothing here touches Kubernetes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { allows, roleFor, type AccessRule, type Role } from '../../../core/model/access.js';

/** One local session token and the role it carries on every cluster and namespace. */
export interface LocalToken {
  /** Shown in the audit trail as `local:<name>`. */
  name: string;
  token: string;
  role: Role;
}

/** How the dashboard authenticates: local tokens, or API Gateway's verified JWT claims. */
export type DashboardAuth =
  | { kind: 'token'; tokens: LocalToken[] }
  | {
      kind: 'jwt';
      /** The `iss` every token must carry (the stage parameter the authorizer is configured with). */
      issuer: string;
      /** Accepted `aud` values. */
      audience: string[];
      /** Access rules by cluster name (the registry's `access` fields). */
      access: ReadonlyMap<string, readonly AccessRule[]>;
    };

/** An authenticated caller. */
export interface Caller {
  /** Recorded in Events and the log: `local:operator`, `oidc:<sub>` (with the email when present). */
  actor: string;
  /** The caller's role on one cluster and namespace (undefined: none). */
  roleOn(cluster: string, namespace: string): Role | undefined;
  /** The CSRF token state-changing requests must carry, or undefined when the credential is not a cookie. */
  csrf?: string;
}

/** The cookie carrying a local session token. */
export const SESSION_COOKIE = 'sluice_session';
/** The header carrying the CSRF token. */
export const CSRF_HEADER = 'x-sluice-csrf';
/** Allowed clock skew for `exp` and `nbf`, in seconds. */
const CLOCK_SKEW_SECONDS = 60;

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The CSRF token of a session: derived from its secret token, so it needs no server state. */
export function csrfFor(token: string): string {
  return createHmac('sha256', token).update('sluice dashboard csrf v1').digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The local token a request presents (cookie, or `Authorization: Bearer`), when it is one of `tokens`. */
export function tokenCaller(
  tokens: readonly LocalToken[],
  headers: Record<string, string>,
): Caller | undefined {
  const bearer = /^Bearer (\S+)$/.exec(headers['authorization'] ?? '')?.[1];
  const presented = bearer ?? cookieValue(headers['cookie'], SESSION_COOKIE);
  if (!presented) return undefined;
  const match = tokens.find((t) => sameSecret(t.token, presented));
  if (!match) return undefined;
  return {
    actor: `local:${match.name}`,
    roleOn: () => match.role,
    ...(bearer === undefined ? { csrf: csrfFor(match.token) } : {}),
  };
}

/**
 * A claim as API Gateway hands it over: JSON values become strings, and a list becomes `[a b c]`. Lists come back
 * as arrays; everything else as given.
 */
export function claimValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const list = /^\[(.*)\]$/.exec(raw);
  return list ? (list[1] ?? '').split(/\s+/).filter((s) => s !== '') : raw;
}

function numeric(raw: unknown): number | undefined {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * Why verified JWT claims are not acceptable here, or undefined when they are: the issuer and audience must be
 * the configured ones (the authorizer checks them too; a second check keeps a misconfigured route from letting
 * another issuer's tokens in), the token must be inside its lifetime, and it must name a subject.
 */
export function claimsProblem(
  claims: Readonly<Record<string, unknown>>,
  expected: { issuer: string; audience: readonly string[] },
  now: Date,
): string | undefined {
  if (claims['iss'] !== expected.issuer) return 'token issuer is not the configured issuer';
  const aud = claimValue(claims['aud']);
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((a) => typeof a === 'string' && expected.audience.includes(a)))
    return 'token audience is not a configured audience';
  const seconds = Math.floor(now.getTime() / 1000);
  const exp = numeric(claims['exp']);
  if (exp === undefined || exp + CLOCK_SKEW_SECONDS <= seconds) return 'token expired or has no exp';
  const nbf = numeric(claims['nbf']);
  if (nbf !== undefined && nbf - CLOCK_SKEW_SECONDS > seconds) return 'token not valid yet';
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '') return 'token has no subject';
  return undefined;
}

/** The caller of verified JWT claims (checked by {@link claimsProblem} first). */
export function jwtCaller(
  auth: Extract<DashboardAuth, { kind: 'jwt' }>,
  raw: Readonly<Record<string, unknown>>,
): Caller {
  const claims = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, claimValue(v)]));
  const email = typeof claims['email'] === 'string' ? ` (${claims['email']})` : '';
  return {
    actor: `oidc:${String(claims['sub'])}${email}`,
    roleOn: (cluster, namespace) => roleFor(auth.access.get(cluster) ?? [], claims, namespace),
  };
}

/** True when the caller may view (or, with `operator`, act on) Rollouts of the namespace. */
export function may(caller: Caller, role: Role, cluster: string, namespace: string): boolean {
  return allows(caller.roleOn(cluster, namespace), role);
}

/**
 * Why a state-changing request is refused as cross-site, or undefined: its Origin must be one of `origins`, and a
 * cookie session must echo its CSRF token in {@link CSRF_HEADER}.
 */
export function crossSiteProblem(
  caller: Caller,
  headers: Record<string, string>,
  origins: readonly string[],
): string | undefined {
  const origin = headers['origin'];
  if (!origin || !origins.includes(origin)) return `origin ${origin ?? '(none)'} is not allowed`;
  if (caller.csrf !== undefined && !sameSecret(caller.csrf, headers[CSRF_HEADER] ?? ''))
    return 'missing or wrong CSRF token';
  return undefined;
}
