/**
 * Revision history on the real kube-apiserver, driven through the same use cases as the functions: old ReplicaSets
 * beyond `spec.revisionHistoryLimit` are deleted exactly as Argo Rollouts picks them (scaled down ones among the
 * oldest by creation time; never the stable or current one), each delete guarded by uid + resourceVersion, and the
 * Rollout carries its current revision in `rollout.argoproj.io/revision`.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ReplicaSet, Rollout } from '../../shared/core/model/types.js';
import { observe } from '../../shared/app/observe.js';
import { applyPlan } from '../../shared/app/apply.js';
import { runStep, runUntilSettled } from '../../shared/app/step.js';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import { plan } from '../../shared/core/engine/plan.js';
import { startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed } from '../journeys/fixtures.js';
import { recordingGateway } from '../support/faults/recording-gateway.js';

const REVISION = 'rollout.argoproj.io/revision';
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

/** A Rollout without steps (each revision is promoted once its pods are up) and old ReplicaSets scaled down at once. */
async function begin(prefix: string, limit: number): Promise<Journey> {
  const seed = hostSeed({ steps: [], canary: { scaleDownDelaySeconds: 0 } });
  (seed[3] as { spec: Record<string, unknown> }).spec['revisionHistoryLimit'] = limit;
  const j = await startJourney(prefix, seed);
  journeys.push(j);
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  return j;
}

const replicaSets = async (j: Journey): Promise<ReplicaSet[]> =>
  (await j.gw.list('replicasets', j.ns)).items as ReplicaSet[];
const revisions = async (j: Journey): Promise<number[]> =>
  (await replicaSets(j)).map((rs) => Number(rs.metadata.annotations?.[REVISION])).sort((a, b) => a - b);
const rsOf = async (j: Journey, revision: number): Promise<ReplicaSet> => {
  const found = (await replicaSets(j)).find((rs) => rs.metadata.annotations?.[REVISION] === String(revision));
  if (!found) throw new Error(`no ReplicaSet of revision ${revision} in ${j.ns}`);
  return found;
};

/** Revision `v` (image `:v<v>`), promoted; waits for the next wall-clock second first so creation times differ. */
async function revision(j: Journey, v: number): Promise<Rollout> {
  await sleep(1000 - (Date.now() % 1000) + 20);
  await j.setImage('reviews', `registry.example/reviews:v${v}`);
  return j.drive(
    'reviews',
    (r) =>
      r.status?.phase === 'Healthy' &&
      r.status.observedGeneration === String(r.metadata.generation) &&
      r.metadata.annotations?.[REVISION] === String(v),
  );
}

/** Passes until the stand-in kubelet reported every old ReplicaSet at 0 and a pass left nothing to do. */
async function settleOld(j: Journey): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    const running = (await replicaSets(j)).filter(
      (rs) => rs.spec.replicas === 0 && (rs.status?.replicas ?? 0) > 0,
    );
    if (running.length === 0) break;
    if (Date.now() > deadline) throw new Error(`old ReplicaSets still report pods in ${j.ns}`);
    await sleep(50);
  }
  await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
}

describe('revisionHistoryLimit', () => {
  it('six revisions with limit 2: revisions 1-3 are deleted, oldest first, and the Rollout carries each revision', async () => {
    const j = await begin('history', 2);
    expect((await j.rollout('reviews')).metadata.annotations?.[REVISION]).toBe('1');
    const deletedAfter: number[][] = [];
    for (const v of [2, 3, 4, 5, 6]) {
      const r = await revision(j, v);
      expect(r.metadata.annotations?.[REVISION]).toBe(String(v));
      await settleOld(j);
      deletedAfter.push(await revisions(j));
    }
    // Argo keeps the current ReplicaSet and at most two old ones, deleting the oldest as each revision lands.
    expect(deletedAfter).toEqual([
      [1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
      [4, 5, 6],
    ]);
    const left = await replicaSets(j);
    const created = left.map((rs) => rs.metadata.creationTimestamp);
    expect(new Set(created).size).toBe(3);
    const r = await j.rollout('reviews');
    expect(r.metadata.annotations?.[REVISION]).toBe('6');
    // No write per pass: a pass with nothing to do leaves the Rollout as it is.
    const idle = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(idle.writes).toBe(0);
    expect((await j.rollout('reviews')).metadata.resourceVersion).toBe(r.metadata.resourceVersion);
  });

  it('an old ReplicaSet still having pods is kept in its place; the next older one is not deleted instead', async () => {
    const j = await begin('history-pods', 5);
    for (const v of [2, 3]) await revision(j, v);
    await settleOld(j);
    expect(await revisions(j)).toEqual([1, 2, 3]);
    // Revision 1's pods are still terminating (status.replicas 1 while spec.replicas is 0); the stand-in kubelet
    // is stopped so it does not report them gone.
    await j.kubelet.stop();
    await j.patch(`/apis/apps/v1/namespaces/{ns}/replicasets/${(await rsOf(j, 1)).metadata.name}/status`, {
      status: { replicas: 1 },
    });
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { revisionHistoryLimit: 0 },
    });
    await runUntilSettled(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(await revisions(j)).toEqual([1, 3]);
  });

  it('a candidate changed between the read and the delete is not deleted: the pass conflicts, nothing is deleted', async () => {
    const j = await begin('history-race', 5);
    for (const v of [2, 3]) await revision(j, v);
    await settleOld(j);
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { revisionHistoryLimit: 0 },
    });
    const observed = await observe(j.gw, j.ns, 'reviews', j.clock.now());
    if (!observed) throw new Error('rollout not found');
    const p = plan(observed);
    const deletes = p.effects.filter((w) => w.op === 'delete').map((w) => w.target.name);
    const [rs1, rs2] = [await rsOf(j, 1), await rsOf(j, 2)];
    expect(deletes).toEqual([rs1.metadata.name, rs2.metadata.name]);
    // Someone scales revision 2 back up meanwhile.
    await j.patch(`/apis/apps/v1/namespaces/{ns}/replicasets/${rs2.metadata.name}`, {
      spec: { replicas: 1 },
    });
    const rec = recordingGateway(j.gw);
    const outcome = await applyPlan(rec.gw, observed.rollout, p, { observed }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(KubeApiError);
    expect((outcome as KubeApiError).isConflict).toBe(true);
    // Revision 1 was deleted first (still as read); revision 2's delete was refused by its preconditions.
    expect(rec.acceptedWrites().map((c) => `${c.verb} ${c.name ?? ''}`)).toEqual([
      `delete ${rs1.metadata.name}`,
    ]);
    expect(await revisions(j)).toEqual([2, 3]);
    expect((await rsOf(j, 2)).spec.replicas).toBe(1);
  });

  it('two concurrent passes delete each old ReplicaSet once', async () => {
    const j = await begin('history-dup', 5);
    for (const v of [2, 3, 4]) await revision(j, v);
    await settleOld(j);
    const before = await replicaSets(j);
    const rsOf0 = async (v: number): Promise<ReplicaSet> => {
      const found = before.find((rs) => rs.metadata.annotations?.[REVISION] === String(v));
      if (!found) throw new Error(`no ReplicaSet of revision ${v}`);
      return found;
    };
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { revisionHistoryLimit: 1 },
    });
    const recs = [recordingGateway(j.gw), recordingGateway(j.gw)];
    await Promise.all(
      recs.map((rec) =>
        runUntilSettled({ ...j.deps, gateway: rec.gw }, { namespace: j.ns, name: 'reviews' }),
      ),
    );
    expect(await revisions(j)).toEqual([3, 4]);
    const deletes = recs.flatMap((rec) =>
      rec
        .acceptedWrites()
        .filter((c) => c.verb === 'delete')
        .map((c) => c.name),
    );
    const gone = [(await rsOf0(1)).metadata.name, (await rsOf0(2)).metadata.name];
    expect(deletes.sort()).toEqual(gone.sort());
  });

  it('dry run: the plan would delete, nothing is deleted', async () => {
    const j = await begin('history-dry', 5);
    for (const v of [2, 3]) await revision(j, v);
    await settleOld(j);
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
      spec: { revisionHistoryLimit: 0 },
    });
    const observed = await observe(j.gw, j.ns, 'reviews', j.clock.now());
    if (!observed) throw new Error('rollout not found');
    const p = plan(observed);
    expect(p.effects.filter((w) => w.op === 'delete')).toHaveLength(2);
    const rec = recordingGateway(j.gw);
    const result = await applyPlan(rec.gw, observed.rollout, p, { observed, dryRun: true });
    expect(result.writes).toBeGreaterThan(0);
    expect(rec.acceptedWrites().every((c) => c.dryRun === true)).toBe(true);
    expect(await revisions(j)).toEqual([1, 2, 3]);
  });
});
