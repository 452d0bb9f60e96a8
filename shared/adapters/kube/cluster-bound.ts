/**
 * The deployment-wide bound on the requests one cluster's API server receives from sluice, and each client's share
 * of it. Argo Rollouts' controller is one process with one client per cluster (40 requests per second, bursts of
 * 80, by default); sluice on Lambda is up to `concurrency` step invocations at once per deployment (the step
 * queue's `MaximumConcurrency`), each with its own client. Each client gets `1/concurrency` of the bound, so the
 * clients together never exceed it: `qps × concurrency ≤ clusterQps` and `burst × concurrency ≤ clusterBurst`
 * (docs/performance.md, "One cluster's request bound"). Pure.
 */

/** The bound for one cluster, and how many clients share it. */
export interface ClusterBound {
  /** Sustained requests per second the whole deployment may send one cluster. */
  qps: number;
  /** Requests the whole deployment may send one cluster at once, after a quiet spell. */
  burst: number;
  /** Clients that may run at once (Lambda: the step queue's maximum concurrency; `sluice run`: 1). */
  concurrency: number;
}

/** Argo Rollouts' controller defaults (`--qps 40 --burst 80`), and ten step invocations at once. */
export const DEFAULT_CLUSTER_BOUND: ClusterBound = { qps: 40, burst: 80, concurrency: 2 };

/**
 * One client's token bucket under `bound`: `qps / concurrency` per second and `floor(burst / concurrency)` tokens
 * (at least 1: a bucket needs one token to send anything). Throws, naming the values, for a bound that cannot be
 * shared: a non-positive rate, a burst below the concurrency (a client would get less than one token), a
 * concurrency below 1.
 *
 * @example
 * clientShare({ qps: 40, burst: 80, concurrency: 10 }); // { qps: 4, burst: 8 }
 */
export function clientShare(bound: ClusterBound): { qps: number; burst: number } {
  const { qps, burst, concurrency } = bound;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`cluster request bound: concurrency must be an integer >= 1, got ${concurrency}`);
  if (!(qps > 0)) throw new Error(`cluster request bound: qps must be > 0, got ${qps}`);
  if (!(burst >= concurrency))
    throw new Error(
      `cluster request bound: burst ${burst} is below the concurrency ${concurrency} (each client needs at least one token)`,
    );
  return { qps: qps / concurrency, burst: Math.floor(burst / concurrency) };
}

/**
 * The most requests a token bucket of `qps` and `burst` lets through in any window of `windowSeconds`:
 * `burst + qps × windowSeconds`. Summed over clients it is the bound's own: what tests and the bench compare a
 * measured peak with.
 */
export function maxRequestsIn(windowSeconds: number, share: { qps: number; burst: number }): number {
  return share.burst + share.qps * windowSeconds;
}
