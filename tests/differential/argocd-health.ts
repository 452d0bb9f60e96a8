/**
 * Argo CD's health of a Rollout, transcribed from its Lua check (`resource_customizations/argoproj.io/Rollout/
 * health.lua`, canary branch) over exactly the fields docs/gitops.md lists. The differential suite computes it on
 * both sides at every checkpoint: a Rollout whose status Argo CD would read differently is a difference even where
 * the fields themselves are allowed to differ (generation, observedGeneration, spec.paused).
 */
import type { Rollout } from '../../shared/core/model/types.js';

/** Argo CD's health status and message. */
export interface Health {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended';
  message: string;
}

const progressing = (message: string): Health => ({ status: 'Progressing', message });

/** The canary branch's replica checks (`checkReplicasStatus`); undefined when the counts are complete. */
function replicasHealth(r: Rollout): Health | undefined {
  const s = r.status ?? {};
  const desired = r.spec.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < desired)
    return progressing('Waiting for roll out to finish: More replicas need to be updated');
  if ((s.replicas ?? 0) > updated)
    return progressing('Waiting for roll out to finish: old replicas are pending termination');
  if ((s.availableReplicas ?? 0) < updated)
    return progressing('Waiting for roll out to finish: updated replicas are still becoming available');
  return undefined;
}

/** The checks before the replica counts: spec observed, an invalid or aborted Rollout, a pause. */
function statusHealth(r: Rollout, s: NonNullable<Rollout['status']>): Health | undefined {
  if (s.observedGeneration !== undefined && s.observedGeneration !== String(r.metadata.generation ?? ''))
    return progressing('Waiting for rollout spec update to be observed');
  for (const c of s.conditions ?? []) {
    const aborted = c.reason === 'RolloutAborted' || c.reason === 'ProgressDeadlineExceeded';
    if (c.type === 'InvalidSpec' || (c.type === 'Progressing' && aborted))
      return { status: 'Degraded', message: c.message ?? '' };
  }
  if ((s.pauseConditions?.length ?? 0) > 0 || r.spec.paused === true)
    return { status: 'Suspended', message: 'Rollout is paused' };
  return undefined;
}

/** Argo CD's health of the canary Rollout `r`. */
export function argoCdHealth(r: Rollout): Health {
  const s = r.status;
  if (!s) return progressing('Waiting for rollout spec update to be observed');
  const early = statusHealth(r, s) ?? replicasHealth(r);
  if (early) return early;
  const stable = s.stableRS ?? (s.canary as { stableRS?: string } | undefined)?.stableRS;
  if (stable !== undefined && stable === s.currentPodHash) return { status: 'Healthy', message: '' };
  return progressing('Waiting for rollout to finish: old replicas are pending termination');
}
