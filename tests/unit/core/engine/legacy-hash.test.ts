/**
 * Upgrading sluice from a version that wrote its own pod-template hash (legacyPodTemplateHash) to one that writes
 * Argo's: the ReplicaSets in the cluster keep their old names and labels, and the planner must keep using them —
 * no ReplicaSet created, no new revision, the step and the weights where they were.
 */
import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { templateHash } from '../../../../shared/core/engine/replicasets.js';
import { legacyPodTemplateHash, podTemplateHash } from '../../../../shared/core/model/hash.js';
import { LABELS, type JsonObject, type ReplicaSet } from '../../../../shared/core/model/types.js';
import { drive } from './support/drive.js';
import { World, weightsOf } from './support/fixtures.js';

/** Rewrites every Argo hash of the world's templates into the legacy one, as an older sluice would have written. */
function asOlderSluiceWroteIt(w: World, templates: JsonObject[]): void {
  let text = JSON.stringify({
    r: w.rollout,
    rs: w.replicaSets,
    s: w.services,
    v: w.virtualServices,
    d: w.destinationRule,
  });
  for (const t of templates) text = text.split(podTemplateHash(t)).join(legacyPodTemplateHash(t));
  const o = JSON.parse(text) as {
    r: World['rollout'];
    rs: World['replicaSets'];
    s: World['services'];
    v: World['virtualServices'];
    d?: World['destinationRule'];
  };
  w.rollout = o.r;
  w.replicaSets = o.rs;
  w.services = o.s;
  w.virtualServices = o.v;
  if (o.d) w.destinationRule = o.d;
}

describe.each(['host', 'subset'] as const)(
  'a %s-level Rollout whose ReplicaSets carry the legacy hash',
  (kind) => {
    function pausedAtStep1(): { w: World; v1: JsonObject; v2: JsonObject } {
      const w = new World(kind);
      drive(w);
      const v1 = structuredClone(w.rollout.spec.template!);
      w.updateImage('demo:2');
      drive(w);
      expect(w.rollout.status?.currentStepIndex).toBe(1);
      const v2 = structuredClone(w.rollout.spec.template!);
      asOlderSluiceWroteIt(w, [v1, v2]);
      return { w, v1, v2 };
    }

    it('is found by its legacy hash: the pass plans nothing at all', () => {
      const { w, v1, v2 } = pausedAtStep1();
      expect(w.replicaSets.map((rs) => rs.metadata.name).sort()).toEqual(
        [`demo-${legacyPodTemplateHash(v1)}`, `demo-${legacyPodTemplateHash(v2)}`].sort(),
      );
      expect(templateHash(w.rollout, w.replicaSets)).toBe(legacyPodTemplateHash(v2));
      const p = plan(w.observed());
      expect(p.effects).toEqual([]);
      expect(p.status).toBeUndefined();
    });

    it('goes on from its step to the end without a new ReplicaSet', () => {
      const { w, v2 } = pausedAtStep1();
      const names = w.replicaSets.map((rs) => rs.metadata.name).sort();
      w.setStatus({ pauseConditions: null });
      const d1 = drive(w);
      expect(w.rollout.status?.currentStepIndex).toBe(3);
      w.now = new Date(w.now.getTime() + 60_000);
      const d2 = drive(w);
      const plans = [...d1.plans, ...d2.plans];
      expect(plans.flatMap((p) => p.effects).filter((e) => e.op === 'create')).toEqual([]);
      expect(plans.map((p) => p.transition)).not.toContain('new-revision');
      expect(w.replicaSets.map((rs) => rs.metadata.name).sort()).toEqual(names);
      expect(w.rollout.status?.stableRS).toBe(legacyPodTemplateHash(v2));
      expect(w.rollout.status?.currentStepIndex).toBe(4);
      expect(Object.values(weightsOf(w.vs()))).toContain(100);
    });

    it("creates Argo's ReplicaSet for a new template, and prefers Argo's hash when both exist", () => {
      const { w } = pausedAtStep1();
      w.updateImage('demo:3');
      const created = plan(w.observed()).effects.filter((e) => e.op === 'create');
      expect(created.map((e) => e.target.name)).toEqual([
        `demo-${podTemplateHash(w.rollout.spec.template!)}`,
      ]);
    });
  },
);

describe('templateHash', () => {
  const w = new World('host');
  const t = w.rollout.spec.template!;
  const rs = (hash: string): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `demo-${hash}`, namespace: 'shop', labels: { [LABELS.podTemplateHash]: hash } },
    spec: { replicas: 1, template: t },
  });
  it.each([
    ['no ReplicaSet', [], podTemplateHash(t)],
    ['only the legacy one', [legacyPodTemplateHash(t)], legacyPodTemplateHash(t)],
    ["only Argo's", [podTemplateHash(t)], podTemplateHash(t)],
    ['both', [legacyPodTemplateHash(t), podTemplateHash(t)], podTemplateHash(t)],
    ['an unrelated one', ['abc'], podTemplateHash(t)],
  ])('%s: %j → %s', (_name, hashes, want) => {
    expect(templateHash(w.rollout, hashes.map(rs))).toBe(want);
  });

  it('uses status.collisionCount for both hashes', () => {
    const r = { ...w.rollout, status: { collisionCount: 2 } };
    expect(templateHash(r, [rs(legacyPodTemplateHash(t, 2))])).toBe(legacyPodTemplateHash(t, 2));
    expect(templateHash(r, [rs(legacyPodTemplateHash(t))])).toBe(podTemplateHash(t, 2));
    expect(templateHash(r, [])).toBe(podTemplateHash(t, 2));
  });
});
