/**
 * The dashboard of `sluice run` and the sandbox: loopback-only session tokens (an operator one and a read-only
 * one), printed at start as URLs that set the session cookie.
 */
import { randomBytes } from 'node:crypto';
import type { DashboardDeps } from '../../app/http-api/dashboard/routes.js';
import type { LocalToken } from '../../app/http-api/dashboard/identity.js';
import { pageScript } from './page-script.js';

/** Fresh operator and viewer tokens (32 random bytes each, hex). */
export function generateDashboardTokens(): LocalToken[] {
  return [
    { name: 'operator', role: 'operator', token: randomBytes(32).toString('hex') },
    { name: 'viewer', role: 'viewer', token: randomBytes(32).toString('hex') },
  ];
}

/**
 * The dashboard's ports for a server at `url` (`http://127.0.0.1:8417`): state-changing requests must come from
 * that origin (or its `localhost` spelling).
 */
export function localDashboard(tokens: LocalToken[], url: string, pollMs = 2000): DashboardDeps {
  const origin = new URL(url).origin;
  const port = new URL(url).port;
  const origins = [origin, ...(port ? [`http://localhost:${port}`] : [])];
  return { auth: { kind: 'token', tokens }, origins, script: pageScript, pollMs };
}

/** The URL that opens the dashboard with `token` (it becomes an HttpOnly SameSite=Strict cookie). */
export function dashboardUrl(url: string, token: LocalToken): string {
  return `${url}/dashboard?token=${token.token}`;
}
