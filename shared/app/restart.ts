/**
 * The restart's writes (`spec.restartAt`): the pods `planRestart` picked are evicted one by one through the gateway,
 * until its budget of evictions landed. A 429 (a PodDisruptionBudget refused) skips the pod and does not use the
 * budget; a 404 (the pod went meanwhile) skips it too. Any other error stops the pass and is thrown. Every eviction is
 * checked against the Rollout's tenancy first (`forbiddenEviction`): a refused one stops the pass before it is sent.
 */
import type { Observed } from '../core/engine/types.js';
import { needsRestart, planRestart } from '../core/engine/restart.js';
import { forbiddenEviction } from '../core/engine/tenancy.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { KubeApiError } from './kube-port/errors.js';
import type { Logger } from './logger.js';

/** What {@link evictForRestart} did. */
export interface RestartEvictions {
  /** Pods evicted, in order. */
  evicted: string[];
  /** Pods skipped: refused with 429 by a disruption budget, or already gone (404). */
  skipped: string[];
}

/**
 * Evicts the Rollout's pods that are older than `spec.restartAt`, within the budget `planRestart` gives. Does nothing
 * (and returns undefined) unless the pods were observed and a restart is due.
 *
 * @example
 * const r = await evictForRestart(gw, observed, log); // { evicted: ['web-abc-1'], skipped: [] }
 */
export async function evictForRestart(
  gw: KubeGateway,
  observed: Observed,
  log?: Logger,
): Promise<RestartEvictions | undefined> {
  const { rollout, pods } = observed;
  if (pods === undefined || !needsRestart(rollout, observed.now)) return undefined;
  const p = planRestart({ rollout, replicaSets: observed.replicaSets, pods, now: observed.now });
  const ns = rollout.metadata.namespace;
  const out: RestartEvictions = { evicted: [], skipped: [] };
  for (const name of p.candidates) {
    if (out.evicted.length >= p.budget) break;
    const refusal = forbiddenEviction(observed, ns, name);
    if (refusal) throw new Error(`restart of rollout ${ns}/${rollout.metadata.name} failed: ${refusal}`);
    try {
      await gw.evict(ns, name);
      out.evicted.push(name);
      log?.info('evicted pod older than restartAt', { rollout: `${ns}/${rollout.metadata.name}`, pod: name });
    } catch (err) {
      if (!(err instanceof KubeApiError) || (err.code !== 429 && err.code !== 404)) throw err;
      out.skipped.push(name);
      log?.warn('pod not evicted', {
        rollout: `${ns}/${rollout.metadata.name}`,
        pod: name,
        error: err.message,
      });
    }
  }
  return out;
}
