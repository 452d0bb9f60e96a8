/**
 * The dashboard's routes, answered by the same HTTP API as the signed operator actions (the promote function on
 * AWS, `sluice run`'s node:http server locally):
 *
 *   GET  /dashboard                       the page (with `?token=` locally: sets the session cookie, redirects)
 *   GET  /dashboard/app.js | app.css      its script and style (built with esbuild into the bundle)
 *   GET  /ui/v1/session                   who the caller is, and the CSRF token of a cookie session
 *   GET  /ui/v1/fleet                     every sluice Rollout the caller may view, in every registered cluster
 *   GET  /ui/v1/clusters/{c}/namespaces/{ns}/rollouts/{name}            the rollout view
 *   POST /ui/v1/clusters/{c}/namespaces/{ns}/rollouts/{name}/{action}   an operator action, `{expectedStep}` required
 *
 * Checks, each answering before anything later runs: authentication → 401; route → 404/405; for actions: the
 * Origin (and a cookie session's CSRF token) → 403, the caller's role on the namespace → 403, content type → 415,
 * body → 400 (expectedStep required); then the action as the signed API runs it (200/409/400/404/503), recorded
 * with the caller's identity in the OperatorAction Event and the log. A viewer sees only namespaces it may view.
 */
import { randomBytes } from 'node:crypto';
import type { ApiDeps } from '../../ports.js';
import type { Logger } from '../../logger.js';
import { HttpError, jsonResponse, type HttpResponse } from '../response.js';
import { parseActionBody, parseRoute, requireJson, type ApiRoute } from '../request.js';
import { act, reachable, type ApiAnswer, type ApiRequest } from '../promote.js';
import {
  claimsProblem,
  crossSiteProblem,
  jwtCaller,
  may,
  SESSION_COOKIE,
  tokenCaller,
  type Caller,
  type DashboardAuth,
} from './identity.js';
import { listFleet, rolloutDetail } from './views.js';
import { PAGE_CSS, pageHtml, signInHtml } from './page.js';

/** What the dashboard needs besides the API's ports. */
export interface DashboardDeps {
  auth: DashboardAuth;
  /** Origins a state-changing request may come from (the request's own `selfOrigin` is added). */
  origins: string[];
  /** The page's script, built with esbuild; undefined when this build carries none. */
  script: () => Promise<string | undefined>;
  /** How often the page polls, in ms (default 2000). */
  pollMs?: number;
}

/** True for the paths the dashboard answers. */
export function isDashboardPath(path: string): boolean {
  return path === '/dashboard' || path.startsWith('/dashboard/') || path.startsWith('/ui/');
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

function text(
  statusCode: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return { statusCode, headers: { ...SECURITY_HEADERS, 'content-type': type, ...headers }, body };
}

function identify(dash: DashboardDeps, req: ApiRequest, now: Date): Caller {
  if (dash.auth.kind === 'token') {
    const caller = tokenCaller(dash.auth.tokens, req.headers);
    if (!caller) throw new HttpError(401, 'sign in with the dashboard URL sluice run printed');
    return caller;
  }
  if (!req.claims) throw new HttpError(401, 'a bearer token from the configured issuer is needed');
  const problem = claimsProblem(req.claims, dash.auth, now);
  if (problem) throw new HttpError(401, problem);
  return jwtCaller(dash.auth, req.claims);
}

/** `GET /dashboard[?token=...]`: the page; locally a valid `token` becomes the session cookie. */
function page(dash: DashboardDeps, req: ApiRequest): HttpResponse {
  const html = pageHtml({ mode: dash.auth.kind, pollMs: dash.pollMs ?? 2000 });
  if (dash.auth.kind === 'jwt') return text(200, 'text/html; charset=utf-8', html);
  const token = new URLSearchParams(req.query ?? '').get('token');
  if (token !== null) {
    const caller = tokenCaller(dash.auth.tokens, { authorization: `Bearer ${token}` });
    if (!caller)
      return text(401, 'text/html; charset=utf-8', signInHtml('This dashboard token is not valid.'));
    return text(303, 'text/plain', '', {
      location: '/dashboard',
      'set-cookie': `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
  }
  if (!tokenCaller(dash.auth.tokens, req.headers))
    return text(
      401,
      'text/html; charset=utf-8',
      signInHtml('Open the dashboard URL that sluice run printed.'),
    );
  return text(200, 'text/html; charset=utf-8', html);
}

async function asset(dash: DashboardDeps, path: string): Promise<HttpResponse> {
  if (path === '/dashboard/app.css') return text(200, 'text/css; charset=utf-8', PAGE_CSS);
  if (path !== '/dashboard/app.js') throw new HttpError(404, 'no such route');
  const script = await dash.script();
  if (script === undefined) throw new HttpError(503, 'this build carries no dashboard script');
  return text(200, 'text/javascript; charset=utf-8', script);
}

/** The route of a `/ui/v1/clusters/...` path, as the signed API parses its own. */
function uiRoute(method: string, path: string): ApiRoute {
  return parseRoute(method, path.slice('/ui'.length));
}

/** One authenticated dashboard request. */
interface Ctx {
  deps: ApiDeps;
  dash: DashboardDeps;
  req: ApiRequest;
  caller: Caller;
  log: Logger;
}

async function action(
  { deps, dash, req, caller, log }: Ctx,
  route: ApiRoute & { action: NonNullable<ApiRoute['action']> },
): Promise<ApiAnswer> {
  const who = { actor: caller.actor, action: route.action, cluster: route.cluster };
  const origins = [...dash.origins, ...(req.selfOrigin ? [req.selfOrigin] : [])];
  const crossSite = crossSiteProblem(caller, req.headers, origins);
  if (crossSite) {
    log.warn('action refused', { ...who, status: 403, reason: crossSite });
    throw new HttpError(403, `refused: ${crossSite}`);
  }
  if (!may(caller, 'operator', route.cluster, route.namespace)) {
    log.warn('action refused', { ...who, status: 403, reason: 'not an operator' });
    throw new HttpError(
      403,
      `${caller.actor} may not ${route.action} rollouts in ${route.cluster}/${route.namespace} (operator role needed)`,
    );
  }
  requireJson(req.headers, req.body);
  const input = parseActionBody(req.body);
  if (input.expectedStep === undefined)
    throw new HttpError(400, 'expectedStep is required: the page sends the step it shows');
  const requestId = randomBytes(16).toString('hex');
  const fingerprint = requestId.slice(0, 16);
  return act(deps, route, input, { actor: caller.actor, requestId, fingerprint }, log);
}

async function read(deps: ApiDeps, caller: Caller, route: ApiRoute): Promise<HttpResponse> {
  if (!may(caller, 'viewer', route.cluster, route.namespace))
    throw new HttpError(404, `rollout ${route.namespace}/${route.name} not found`);
  const gw = await deps.clusters.gateway(route.cluster);
  if (!gw) throw new HttpError(404, `unknown cluster ${route.cluster}`);
  const detail = await reachable(route.cluster, () => rolloutDetail(gw, route, deps.now()));
  if (!detail) throw new HttpError(404, `rollout ${route.namespace}/${route.name} not found`);
  const canAct = may(caller, 'operator', route.cluster, route.namespace);
  return jsonResponse(200, { ...detail, canAct });
}

async function data(ctx: Ctx): Promise<ApiAnswer> {
  const { deps, req, caller } = ctx;
  const { method, path } = req;
  if (path === '/ui/v1/session' || path === '/ui/v1/fleet') {
    if (method !== 'GET') throw new HttpError(405, 'method not allowed', { allow: 'GET' });
    if (path === '/ui/v1/session')
      return { response: jsonResponse(200, { actor: caller.actor, csrf: caller.csrf ?? null }) };
    const visible = (cluster: string, ns: string): boolean => may(caller, 'viewer', cluster, ns);
    return {
      response: jsonResponse(200, await listFleet(deps.clusters, deps.instanceId, visible, deps.now())),
    };
  }
  const route = uiRoute(method, path);
  if (route.action) return action(ctx, { ...route, action: route.action });
  return { response: await read(deps, caller, route) };
}

/**
 * Answers one dashboard request (a path {@link isDashboardPath} accepts). Refusals are thrown as
 * {@link HttpError}s, which the API handler turns into answers.
 */
export async function answerDashboard(
  deps: ApiDeps,
  dash: DashboardDeps,
  req: ApiRequest,
  log: Logger,
): Promise<ApiAnswer> {
  if (req.path === '/dashboard' || req.path === '/dashboard/') {
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed', { allow: 'GET' });
    return { response: page(dash, req) };
  }
  if (req.path.startsWith('/dashboard/')) {
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed', { allow: 'GET' });
    return { response: await asset(dash, req.path) };
  }
  const caller = identify(dash, req, deps.now());
  return data({ deps, dash, req, caller, log: log.child({ actor: caller.actor }) });
}
