/**
 * The page's calls to the dashboard API: same-origin fetches with the session cookie (locally) or a bearer token
 * (on AWS, kept in sessionStorage), and the CSRF token on state-changing requests.
 */
import type { Fleet, RolloutDetail } from '../app/http-api/dashboard/views.js';

/** A JSON answer with its status. */
export interface Answer<T> {
  status: number;
  body: T;
}

const TOKEN_KEY = 'sluice-bearer';
let csrf: string | null = null;

/** The configured mode (`token` locally, `jwt` on AWS) and poll interval, from the page's meta tags. */
export function pageConfig(): { mode: string; pollMs: number } {
  const meta = (name: string): string =>
    document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
  return { mode: meta('sluice-mode'), pollMs: Number(meta('sluice-poll-ms')) || 2000 };
}

/** Stores the bearer token pasted into the sign-in form (AWS mode). */
export function setBearer(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const bearer = sessionStorage.getItem(TOKEN_KEY);
  return {
    accept: 'application/json',
    ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    ...(csrf ? { 'x-sluice-csrf': csrf } : {}),
    ...extra,
  };
}

async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await res.json().catch(() => ({ message: res.statusText }))) as T;
  return { status: res.status, body: parsed };
}

/** Who the caller is; remembers the session's CSRF token. */
export async function session(): Promise<Answer<{ actor?: string; csrf?: string | null; message?: string }>> {
  const a = await call<{ actor?: string; csrf?: string | null; message?: string }>('GET', '/ui/v1/session');
  csrf = a.body.csrf ?? null;
  return a;
}

/** The fleet. */
export const fleet = (): Promise<Answer<Fleet & { message?: string }>> => call('GET', '/ui/v1/fleet');

/** The path of a Rollout's API route. */
export function rolloutPath(r: { cluster: string; namespace: string; name: string }): string {
  const e = encodeURIComponent;
  return `/ui/v1/clusters/${e(r.cluster)}/namespaces/${e(r.namespace)}/rollouts/${e(r.name)}`;
}

/** The rollout view. */
export const detail = (
  r: Parameters<typeof rolloutPath>[0],
): Promise<Answer<RolloutDetail & { canAct: boolean; message?: string }>> => call('GET', rolloutPath(r));

/** Sends an operator action with the step the page shows. */
export const act = (
  r: Parameters<typeof rolloutPath>[0],
  action: string,
  expectedStep: number,
): Promise<Answer<{ message?: string }>> =>
  call('POST', `${rolloutPath(r)}/${action}`, { expectedStep, reason: 'dashboard' });
