/**
 * The probes of `sluice run`'s HTTP server, for a kubelet (docs/in-cluster.md): `GET /healthz` answers 200 while
 * the process serves; `GET /readyz` answers 200 once a schedule pass has listed the Rollouts of every cluster, and
 * 503 before that or when the last {@link UNREADY_AFTER_FAILED_PASSES} passes could not. Unauthenticated, so they
 * answer `ok` or a short reason and nothing else (no cluster name, no error text).
 */
import type { ApiAnswer, ApiRequest } from '../../app/http-api/promote.js';

/** The probe paths. */
export const PROBE_PATHS = { live: '/healthz', ready: '/readyz' } as const;

/** Consecutive failed schedule passes after which `/readyz` answers 503. */
export const UNREADY_AFTER_FAILED_PASSES = 3;

/** What `/readyz` says. */
export interface ReadyState {
  ready: boolean;
  /** `ok`, or why not (short, no details). */
  reason: string;
}

/** Readiness from the outcomes of the schedule passes, in order. */
export class Readiness {
  private passed = false;
  private failedInRow = 0;

  /** Records a schedule pass: `failedClusters` is how many clusters it could not list Rollouts in. */
  record(failedClusters: number): void {
    if (failedClusters === 0) {
      this.passed = true;
      this.failedInRow = 0;
    } else this.failedInRow++;
  }

  /** The state `/readyz` reports. */
  state(): ReadyState {
    if (this.failedInRow >= UNREADY_AFTER_FAILED_PASSES)
      return { ready: false, reason: `the last ${this.failedInRow} passes could not reach the API server` };
    if (!this.passed) return { ready: false, reason: 'no pass has reached the API server yet' };
    return { ready: true, reason: 'ok' };
  }
}

/** Whether `path` is a probe's (its answers are not logged: a kubelet polls them). */
export function isProbePath(path: string): boolean {
  return path === PROBE_PATHS.live || path === PROBE_PATHS.ready;
}

const text = (statusCode: number, body: string): ApiAnswer => ({
  response: {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    body: `${body}\n`,
  },
});

/** The probe's answer to `req`, or undefined when `req` is not a probe (GET or HEAD of a probe path). */
export function probeAnswer(req: ApiRequest, readiness: Readiness): ApiAnswer | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (req.path === PROBE_PATHS.live) return text(200, 'ok');
  if (req.path !== PROBE_PATHS.ready) return undefined;
  const { ready, reason } = readiness.state();
  return text(ready ? 200 : 503, reason);
}
