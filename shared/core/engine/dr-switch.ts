/**
 * Subset-level splitting: the DestinationRule subset labels of one pass, and the switch delay (#2507) that holds a
 * label flip onto a ReplicaSet that is not fully available while that subset would receive traffic.
 *
 * Pure module: no I/O.
 */
import type { KubeObject, ReplicaSet } from '../model/types.js';
import { LABELS } from '../model/types.js';
import { isFullyAvailable, replicaSetAvailable } from '../model/replicas.js';
import { updateDestinationRule } from '../istio/destination-rule.js';
import { guardedPatch } from './json-diff.js';
import { findReplicaSetByHash } from './replicasets.js';
import type { TrafficInput, Write } from './types.js';
import * as ev from './events.js';

function subsetHash(dr: KubeObject | undefined, subset: string): string {
  const subsets = (dr?.spec as { subsets?: unknown } | undefined)?.subsets;
  if (!Array.isArray(subsets)) return '';
  const found = subsets.find((s: { name?: unknown }) => s?.name === subset) as
    { labels?: Record<string, string> } | undefined;
  return found?.labels?.[LABELS.podTemplateHash] ?? '';
}

/** Hashes the DestinationRule's subsets carry (for "still referenced" checks). */
export function destinationRuleHashes(dr: KubeObject | undefined): string[] {
  const subsets = (dr?.spec as { subsets?: unknown } | undefined)?.subsets;
  if (!Array.isArray(subsets)) return [];
  return subsets.map((s: { labels?: Record<string, string> }) => s?.labels?.[LABELS.podTemplateHash] ?? '');
}

function delayReason(rss: ReplicaSet[], hash: string, share: number): string | undefined {
  if (share <= 0 || hash === '') return undefined;
  const rs = findReplicaSetByHash(rss, hash);
  if (!rs) return `delaying destination rule switch: ReplicaSet with hash ${hash} does not exist`;
  if (!isFullyAvailable(rs) || replicaSetAvailable(rs) === 0) {
    return `delaying destination rule switch: ReplicaSet ${rs.metadata.name} not fully available`;
  }
  return undefined;
}

/**
 * The DestinationRule write of one pass (canary subset → `canaryHash`, stable subset → stable hash), carrying its
 * `UpdatedDestinationRule` Event, or why it waits.
 */
export function drWrite(
  input: TrafficInput,
  canaryHash: string,
  w: number,
): { write?: Write; waiting?: string } {
  const { rollout: r, observed } = input;
  const canary = r.spec.strategy?.canary ?? {};
  const ref = canary.trafficRouting?.istio?.destinationRule;
  const dr = observed.destinationRule;
  if (!ref || !dr) return {};
  const { object } = updateDestinationRule(dr, ref, canaryHash, input.stableHash, r.metadata.name);
  const patch = guardedPatch(dr, object);
  if (patch.length === 0) return {};
  if (!canary.canaryService && !canary.stableService) {
    const flips: [string, number][] = [];
    if (subsetHash(dr, ref.canarySubsetName) !== canaryHash) flips.push([canaryHash, w]);
    if (subsetHash(dr, ref.stableSubsetName) !== input.stableHash) flips.push([input.stableHash, 100 - w]);
    for (const [hash, share] of flips) {
      const waiting = delayReason(observed.replicaSets, hash, share);
      if (waiting) return { waiting };
    }
  }
  const name = dr.metadata.name;
  const event = ev.destinationRuleUpdated(
    name,
    { subset: ref.canarySubsetName, hash: canaryHash },
    { subset: ref.stableSubsetName, hash: input.stableHash },
  );
  const write: Write = {
    op: 'patch',
    target: { resource: 'destinationrules', namespace: dr.metadata.namespace ?? r.metadata.namespace, name },
    patch,
    reason: `DestinationRule ${name}: ${ref.canarySubsetName} → ${canaryHash}, ${ref.stableSubsetName} → ${input.stableHash}`,
    events: [event],
  };
  return { write };
}
