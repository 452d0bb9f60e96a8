/**
 * The signed HTTP API behind the `promote` function and `sluice run` (API Gateway HTTP API, payload v2): signed operator actions on a Rollout, and a signed read of its state.
 *
 *   POST /v1/clusters/{cluster}/namespaces/{ns}/rollouts/{name}/{promote|promote-full|abort|retry|pause|resume}
 *   GET  /v1/clusters/{cluster}/namespaces/{ns}/rollouts/{name}
 *
 * Checks, in order, each answering before anything later runs: body over 64 KiB → 413; signature → 401 (generic
 * body); route → 404/405; content type → 415; body schema → 400; unknown cluster → 404. Then the action:
 * 200 / 409 (step moved, or not allowed now) / 400 (invalid) / 404 (no such Rollout); cluster unreachable → 503
 * with Retry-After. After a change, one `sluice.step` event moves the rollout now instead of at the next minute.
 */
import { createHash } from 'node:crypto';
import type { MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { verifySignature } from './webhook-auth.js';
import { KubeApiError } from '../../adapters/kube/errors.js';
import type { Rollout } from '../../core/model/types.js';
import { applyOperatorAction, summarizeRollout, type ActionResult } from '../actions.js';
import { stepEvent } from '../contract.js';
import type { DepsProvider, FunctionDeps } from '../../runtimes/lambda/deps.js';
import {
  parseActionBody,
  parseRoute,
  rawBody,
  requireJson,
  type ActionBody,
  type ApiRoute,
} from './request.js';
import type { Logger } from '../logger.js';
import { lambdaHandler, type HandlerOptions } from '../../runtimes/lambda/middleware.js';
import { HttpError, jsonResponse, type HttpResponse } from './response.js';

const RETRY_AFTER_SECONDS = '5';

const STATUS_BY_OUTCOME: Record<Exclude<ActionResult['outcome'], 'accepted'>, number> = {
  conflict: 409,
  invalid: 400,
  'not-found': 404,
  'reused-key': 422,
};

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

async function authenticate(
  deps: FunctionDeps,
  request: { method: string; path: string; headers: Record<string, string>; body: Buffer },
  log: Logger,
): Promise<string> {
  const { headers } = request;
  const secrets = await deps.webhookSecrets();
  const verdict = verifySignature({
    headers,
    method: request.method,
    path: request.path,
    rawBody: request.body,
    secrets,
    now: deps.now(),
    toleranceSeconds: deps.config.signatureToleranceSeconds,
  });
  if (!verdict.ok) {
    log.warn('signature rejected', {
      reason: verdict.reason,
      keyId: headers['x-sluice-key-id']?.slice(0, 64),
    });
    throw new HttpError(401, 'unauthorized');
  }
  return verdict.keyId;
}

/**
 * Signatures already accepted by this container. The MAC binds timestamp, method, path and body, so only the very
 * same request can be replayed; it is refused (401) while its timestamp is still inside the window. Per container,
 * so best effort.
 */
class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max = 10_000) {}

  /** True when this (timestamp, signature) was seen before; records it otherwise. */
  replayed(headers: Record<string, string>, nowMs: number, windowMs: number): boolean {
    for (const [key, expires] of this.seen) {
      if (expires > nowMs && this.seen.size < this.max) break;
      this.seen.delete(key);
    }
    const key = `${headers['x-sluice-timestamp'] ?? ''}|${headers['x-sluice-signature'] ?? ''}`;
    if (this.seen.has(key)) return true;
    this.seen.set(key, nowMs + windowMs);
    return false;
  }
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id and fingerprint, claimed in the cluster before the action writes (see applyOperatorAction). The
 * id is the caller's `Idempotency-Key` (scoped to its signing key), so a retry re-signed with a new timestamp is still
 * the same request; without one it is a digest of the timestamp and signature, which are unique per signed request.
 * The fingerprint is a digest of method, path and body: a key reused for another request is refused (422).
 */
function requestIdentity(
  headers: Record<string, string>,
  request: { keyId: string; method: string; path: string; body: Buffer },
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
    requestId: key
      ? sha('key', request.keyId, key)
      : sha('sig', headers['x-sluice-timestamp'] ?? '', headers['x-sluice-signature'] ?? ''),
    fingerprint: sha(request.method, request.path, request.body).slice(0, 16),
  };
}

/** Runs a Kubernetes call, turning "cluster unreachable" into 503 + Retry-After. */
async function reachable<T>(cluster: string, call: () => Promise<T>): Promise<T> {
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

async function act(
  deps: FunctionDeps,
  route: ApiRoute,
  input: ActionBody,
  caller: { actor: string; requestId: string; fingerprint: string },
  log: Logger,
): Promise<HttpResponse> {
  const { cluster, namespace, name, action } = route;
  const { actor, requestId, fingerprint } = caller;
  const gateway = await deps.clusters.gateway(cluster);
  if (!gateway) throw new HttpError(404, `unknown cluster ${cluster}`);
  if (!action) {
    const rollout = (await reachable(cluster, () => gateway.get('rollouts', namespace, name))) as
      Rollout | undefined;
    if (!rollout) throw new HttpError(404, `rollout ${namespace}/${name} not found`);
    return jsonResponse(200, {
      cluster,
      namespace,
      name,
      state: summarizeRollout(rollout),
      status: rollout.status,
    });
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
    return jsonResponse(status, { message: result.message, before: result.before });
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
      await deps.bus.send([stepEvent({ cluster, namespace, rollout: name })]);
    } catch (err) {
      // The action is committed; the schedule picks the rollout up within a minute.
      log.warn('step event not sent', { error: err });
    }
  }
  return jsonResponse(200, { message: result.message, before: result.before, after: result.after });
}

/** The promote function over the given dependencies. */
export function createPromoteHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<APIGatewayProxyEventV2, HttpResponse> {
  const guard = new ReplayGuard();
  return lambdaHandler<APIGatewayProxyEventV2, HttpResponse>(
    { ...options, name: 'promote', http: true },
    async (event, { log }) => {
      const body = rawBody(event);
      const d = await deps();
      const headers = lowerCaseHeaders(event.headers);
      const method = event.requestContext?.http?.method ?? '';
      const path = event.rawPath ?? '';
      const keyId = await authenticate(d, { method, path, headers, body }, log);
      const route = parseRoute(method, path);
      let input: ActionBody = {};
      if (route.action) {
        const windowMs = 2 * d.config.signatureToleranceSeconds * 1000;
        if (guard.replayed(headers, d.now().getTime(), windowMs)) {
          log.warn('signature rejected', { reason: 'replayed request', keyId });
          throw new HttpError(401, 'unauthorized');
        }
        requireJson(headers, body);
        input = parseActionBody(body);
      }
      const caller = { actor: keyId, ...requestIdentity(headers, { keyId, method, path, body }) };
      return act(d, route, input, caller, log.child({ keyId }));
    },
  );
}
