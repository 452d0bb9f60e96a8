/**
 * The signed HTTP API behind the `promote` function and `sluice run` (API Gateway HTTP API, payload v2): signed operator actions on a Rollout, and a signed read of its state.
 *
 *   POST /v1/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/{promote|promote-full|abort|retry|pause|resume}
 *   GET  /v1/clusters/{cluster}/namespaces/{ns}/rollouts/{name}   (state, status, and the current AnalysisRuns)
 *
 * Checks, in order, each answering before anything later runs: body over 64 KiB → 413; signature → 401 (generic
 * body); route → 404/405; content type → 415; body schema → 400; unknown cluster → 404. Then the action:
 * 200 / 409 (step moved, or not allowed now) / 400 (invalid) / 404 (no such Rollout); cluster unreachable → 503
 * with Retry-After. After a change, one `sluice.step` event moves the rollout now instead of at the next minute.
 */
import { createHash } from 'node:crypto';
import { verifySignature } from './webhook-auth.js';
import { KubeApiError } from '../kube-port/errors.js';
import type { Rollout } from '../../core/model/types.js';
import { applyOperatorAction, summarizeRollout, type ActionResult } from '../actions.js';
import { stepEvent } from '../contract.js';
import { readAnalysisRuns } from '../status-view.js';
import type { ApiDeps } from '../ports.js';
import {
  MAX_BODY_BYTES,
  parseActionBody,
  parseRoute,
  requireJson,
  type ActionBody,
  type ApiRoute,
} from './request.js';
import type { Logger } from '../logger.js';
import { HttpError, jsonResponse, type HttpResponse } from './response.js';
import { answerDashboard, isDashboardPath } from './dashboard/routes.js';

const RETRY_AFTER_SECONDS = '5';

const STATUS_BY_OUTCOME: Record<Exclude<ActionResult['outcome'], 'accepted'>, number> = {
  conflict: 409,
  invalid: 400,
  'not-found': 404,
  'reused-key': 422,
};

/** One HTTP request, whatever carried it (API Gateway, node:http). */
export interface ApiRequest {
  method: string;
  /** The path as received (it is signed). */
  path: string;
  /** The part of `path` routes are matched on, when a transport mounts the API under a prefix (default `path`). */
  routePath?: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body bytes (at most {@link MAX_BODY_BYTES} + 1 are needed to answer 413). */
  body: Buffer;
  /** The raw query string, without `?` (only the dashboard reads it). */
  query?: string;
  /** Claims of a JWT that API Gateway's JWT authorizer verified (dashboard routes on AWS). */
  claims?: Record<string, unknown>;
  /** The origin the request was addressed to, when the transport knows it (API Gateway's domain name). */
  selfOrigin?: string;
}

/** The answer to one request, and why it was refused when it was (status >= 400). */
export interface ApiAnswer {
  response: HttpResponse;
  refusal?: { status: number; reason: string };
}

/** Lower-cases header names and drops undefined values. */
export function lowerCaseHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** A signature the request failed, with the verifier's reason. */
class SignatureRejected extends HttpError {
  constructor(readonly reason: string) {
    super(401, 'unauthorized');
  }
}

async function authenticate(
  deps: ApiDeps,
  request: { method: string; path: string; headers: Record<string, string>; body: Buffer },
  log: Logger,
): Promise<{ keyId: string; signature: string }> {
  const { headers } = request;
  const secrets = await deps.webhookSecrets();
  const verdict = verifySignature({
    headers,
    method: request.method,
    path: request.path,
    rawBody: request.body,
    secrets,
    now: deps.now(),
    toleranceSeconds: deps.signatureToleranceSeconds,
  });
  if (!verdict.ok) {
    log.warn('signature rejected', {
      reason: verdict.reason,
      keyId: headers['x-sluice-key-id']?.slice(0, 64),
    });
    throw new SignatureRejected(verdict.reason);
  }
  return { keyId: verdict.keyId, signature: verdict.signature };
}

/**
 * Verified signatures already accepted by this container. The MAC binds timestamp, method, path, idempotency key
 * and body, and only one spelling of it is accepted, so the verified signature is the request: a replay in any
 * spelling is refused (401) while its timestamp is still inside the window. Per container, so best effort (the
 * claim in the cluster is what holds everywhere).
 */
class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max = 10_000) {}

  /** True when this verified signature (lower-case hex) was seen before; records it otherwise. */
  replayed(signature: string, nowMs: number, windowMs: number): boolean {
    for (const [key, expires] of this.seen) {
      if (expires > nowMs && this.seen.size < this.max) break;
      this.seen.delete(key);
    }
    if (this.seen.has(signature)) return true;
    this.seen.set(signature, nowMs + windowMs);
    return false;
  }
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id and fingerprint, claimed in the cluster before the action writes (see applyOperatorAction). The
 * id is the caller's `Idempotency-Key` (scoped to its signing key; the key is signed), so a retry re-signed with a
 * new timestamp is still the same request; without one it is a digest of the verified signature (never of header
 * text), which is unique per signed request and has a single accepted spelling.
 * The fingerprint is a digest of method, path and body: a key reused for another request is refused (422).
 */
function requestIdentity(
  headers: Record<string, string>,
  request: { keyId: string; signature: string; method: string; path: string; body: Buffer },
): { requestId: string; fingerprint: string } {
  const sha = (...parts: (string | Buffer)[]): string => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p).update('\n');
    return h.digest('hex').slice(0, 32);
  };
  const key = headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  }
  return {
    requestId: key ? sha('key', request.keyId, key) : sha('sig', request.signature),
    fingerprint: sha(request.method, request.path, request.body).slice(0, 16),
  };
}

/** Runs a Kubernetes call, turning "cluster unreachable" into 503 + Retry-After. */
export async function reachable<T>(cluster: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof KubeApiError && err.isRetryable) {
      throw new HttpError(503, `cluster ${cluster} is unavailable, retry later`, {
        'retry-after': RETRY_AFTER_SECONDS,
      });
    }
    throw err;
  }
}

/**
 * Reads the Rollout (no action) or applies the action for an authenticated caller: the answer, its log line and,
 * after a change, the `sluice.step` event. Shared by the signed API and the dashboard.
 */
export async function act(
  deps: ApiDeps,
  route: ApiRoute,
  input: ActionBody,
  caller: { actor: string; requestId: string; fingerprint: string },
  log: Logger,
): Promise<ApiAnswer> {
  const { cluster, namespace, name, action } = route;
  const { actor, requestId, fingerprint } = caller;
  const gateway = await deps.clusters.gateway(cluster);
  if (!gateway) throw new HttpError(404, `unknown cluster ${cluster}`);
  if (!action) {
    const rollout = (await reachable(cluster, () => gateway.get('rollouts', namespace, name))) as
      Rollout | undefined;
    if (!rollout) throw new HttpError(404, `rollout ${namespace}/${name} not found`);
    const analysisRuns = await reachable(cluster, () => readAnalysisRuns(gateway, rollout));
    return {
      response: jsonResponse(200, {
        cluster,
        namespace,
        name,
        state: summarizeRollout(rollout),
        status: rollout.status,
        analysisRuns,
      }),
    };
  }
  const result = await reachable(cluster, () =>
    applyOperatorAction(
      { gateway, now: deps.now, log },
      {
        namespace,
        name,
        action,
        actor,
        requestId,
        fingerprint,
        ...(input.expectedStep === undefined ? {} : { expectedStep: input.expectedStep }),
      },
    ),
  );
  if (result.outcome !== 'accepted') {
    const status = STATUS_BY_OUTCOME[result.outcome];
    log.info('action refused', {
      actor,
      action,
      cluster,
      rollout: `${namespace}/${name}`,
      status,
      ...result,
    });
    return {
      response: jsonResponse(status, { message: result.message, before: result.before }),
      refusal: { status, reason: result.message },
    };
  }
  log.info('action accepted', {
    actor,
    action,
    cluster,
    rollout: `${namespace}/${name}`,
    reason: input.reason,
    before: result.before,
    after: result.after,
  });
  if (JSON.stringify(result.before) !== JSON.stringify(result.after)) {
    try {
      await deps.bus.send([
        { ...stepEvent({ cluster, namespace, rollout: name }), reason: 'operator action' },
      ]);
    } catch (err) {
      // The action is committed; the schedule picks the rollout up within a minute.
      log.warn('step event not sent', { error: err });
    }
  }
  return {
    response: jsonResponse(200, { message: result.message, before: result.before, after: result.after }),
  };
}

/** The answer to a refused request (logged as `request rejected`, like the Lambda wrapper does). */
function refusedAnswer(err: HttpError, log: Logger): ApiAnswer {
  log.warn('request rejected', { status: err.statusCode, reason: err.message, ...err.details });
  const reason = err instanceof SignatureRejected ? err.reason : err.message;
  return {
    response: jsonResponse(err.statusCode, { message: err.message }, err.headers),
    refusal: { status: err.statusCode, reason },
  };
}

/** Answers one request: the checks in the order above, then the action or the read. */
async function answer(deps: ApiDeps, guard: ReplayGuard, req: ApiRequest, log: Logger): Promise<ApiAnswer> {
  const { method, path, headers, body } = req;
  if (body.length > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
  const { keyId, signature } = await authenticate(deps, { method, path, headers, body }, log);
  const route = parseRoute(method, req.routePath ?? path);
  let input: ActionBody = {};
  if (route.action) {
    const windowMs = 2 * deps.signatureToleranceSeconds * 1000;
    if (guard.replayed(signature, deps.now().getTime(), windowMs)) {
      log.warn('signature rejected', { reason: 'replayed request', keyId });
      throw new SignatureRejected('replayed request');
    }
    requireJson(headers, body);
    input = parseActionBody(body);
  }
  const caller = { actor: keyId, ...requestIdentity(headers, { keyId, signature, method, path, body }) };
  return act(deps, route, input, caller, log.child({ keyId }));
}

/** Answers requests of the signed HTTP API; one replay guard per instance. */
export type ApiHandler = (req: ApiRequest, log: Logger) => Promise<ApiAnswer>;

/**
 * The signed HTTP API over the given ports, for every runtime: the promote function wraps it in the Lambda
 * wrapper, `sluice run` serves it behind node:http. Refusals come back as answers with their status and reason;
 * anything unexpected is thrown (the runtime answers 500).
 *
 * @example
 * const api = createApiHandler(deps);
 * const { response, refusal } = await api({ method: 'GET', path, headers, body: Buffer.alloc(0) }, log);
 */
export function createApiHandler(deps: () => Promise<ApiDeps>): ApiHandler {
  const guard = new ReplayGuard();
  return async (req, log) => {
    try {
      const d = await deps();
      if (d.dashboard && isDashboardPath(req.routePath ?? req.path)) {
        return await answerDashboard(d, d.dashboard, { ...req, path: req.routePath ?? req.path }, log);
      }
      return await answer(d, guard, req, log);
    } catch (err) {
      if (err instanceof HttpError) return refusedAnswer(err, log);
      throw err;
    }
  };
}
