/**
 * `spec.restartAt` (`kubectl argo rollouts restart`, which merge-patches `{"spec":{"restartAt":"<RFC 3339>"}}`) on
 * the real kube-apiserver, with the pod stand-in kubelet: pods older than restartAt are evicted within the budget,
 * replaced, then `status.restartedAt` is committed and the Rollout is Healthy again. A PodDisruptionBudget's 429 is
 * skipped and retried, a plan with the server dry run evicts nothing, a future restartAt waits for its time, and a
 * foreign pod with the same labels is never evicted.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { KubeObject, Rollout } from '../../shared/core/model/types.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { runStep, type StepResult } from '../../shared/app/step.js';
import { observe } from '../../shared/app/observe.js';
import { applyPlan } from '../../shared/app/apply.js';
import { plan } from '../../shared/core/engine/plan.js';
import { dueReason } from '../../shared/core/engine/due.js';
import { startJourney, type Journey } from './harness.js';
import { hostSeed } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

interface Pod extends KubeObject {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string };
}

/** A gateway that records every call's method and resource (to count evictions and pod reads). */
function recording(inner: KubeGateway): { gw: KubeGateway; calls: string[] } {
  const calls: string[] = [];
  const gw = decorateGateway(inner, {
    around: (request, send) => (calls.push(`${request.method} ${request.resource}`), send(inner)),
  });
  return { gw, calls };
}

async function pods(j: Journey): Promise<Pod[]> {
  return (await j.gw.list('pods', j.ns)).items as Pod[];
}

/** Waits until the Rollout's ReplicaSets have `n` Ready pods between them (the stand-in replaced the evicted). */
async function podsReady(j: Journey, n: number): Promise<Pod[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const all = (await pods(j)).filter((p) => p.metadata.ownerReferences?.length);
    const ready = all.filter((p) =>
      ((p.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    );
    const rs = (await j.gw.list('replicasets', j.ns)).items;
    const counted = rs.reduce(
      (s, x) => s + ((x.status as { availableReplicas?: number })?.availableReplicas ?? 0),
      0,
    );
    if (ready.length === n && all.length === n && counted === n) return ready;
    if (Date.now() > deadline) throw new Error(`${n} ready pods not reached in ${j.ns}: ${all.length} pods`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Second-precision RFC 3339, as the plugin writes restartAt. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A Healthy Rollout of `replicas` with Ready pods, and a restartAt just after its pods were created. */
async function healthyWithPods(prefix: string, replicas: number, canary: Record<string, unknown> = {}) {
  const j = await startJourney(
    prefix,
    hostSeed({ replicas, steps: [{ setWeight: 50 }, { pause: {} }], canary }),
    { pods: true },
  );
  journeys.push(j);
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  const before = await podsReady(j, replicas);
  return { j, before };
}

/** Sets restartAt as the plugin does and waits until the real clock passed it (replacements are then newer). */
async function restart(j: Journey, atMs = Math.ceil(Date.now() / 1000) * 1000 + 1000): Promise<string> {
  const at = rfc3339(atMs);
  await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', { spec: { restartAt: at } });
  while (Date.now() <= atMs + 1000) await new Promise((ok) => setTimeout(ok, 100));
  return at;
}

/** One pass at the real time through `gw`; returns the result and the evictions it sent (landed or refused). */
async function pass(
  j: Journey,
  gw: KubeGateway,
  calls: string[],
): Promise<{ r: StepResult; evicted: number }> {
  const before = calls.length;
  const r = await runStep({ gateway: gw, now: () => new Date() }, { namespace: j.ns, name: 'reviews' });
  return { r, evicted: calls.slice(before).filter((c) => c === 'evict pods').length };
}

/** Passes until restartedAt is committed; asserts each pass evicts at most `max` pods and waits for replacements. */
async function restartToEnd(j: Journey, replicas: number, max: number) {
  const { gw, calls } = recording(j.gw);
  const perPass: number[] = [];
  for (let i = 0; i < 3 * replicas + 3; i++) {
    const { r, evicted } = await pass(j, gw, calls);
    perPass.push(evicted);
    expect(evicted).toBeLessThanOrEqual(max);
    if (evicted > 0) {
      expect(r).toMatchObject({ writes: evicted, requeueAfterSeconds: 30, followUp: false });
      expect(r.transition).toBeUndefined();
      await podsReady(j, replicas);
    } else if ((await j.rollout('reviews')).status?.['restartedAt'] !== undefined) break;
  }
  return { perPass, calls };
}

describe('journey: restart (spec.restartAt)', () => {
  it('evicts the old pods one at a time (maxUnavailable 25% of 3 → 1), replaced, then restartedAt and Healthy', async () => {
    const { j, before } = await healthyWithPods('restart', 3);
    const at = await restart(j);
    const { perPass } = await restartToEnd(j, 3, 1);
    expect(perPass.filter((n) => n > 0)).toEqual([1, 1, 1]);
    const r: Rollout = await j.rollout('reviews');
    expect(r.status?.['restartedAt']).toBe(at);
    expect(r.status?.phase).toBe('Healthy');
    const after = await podsReady(j, 3);
    const oldNames = new Set(before.map((p) => p.metadata.name));
    expect(after.filter((p) => oldNames.has(p.metadata.name))).toEqual([]);
    expect(after.every((p) => Date.parse(p.metadata.creationTimestamp ?? '') >= Date.parse(at))).toBe(true);
    // Done: a further pass reads no pods and evicts nothing.
    const { gw, calls } = recording(j.gw);
    await pass(j, gw, calls);
    expect(calls.filter((c) => c.endsWith(' pods'))).toEqual([]);
  });

  it('maxUnavailable 2 of 3: at most two evictions in one pass', async () => {
    const { j } = await healthyWithPods('restart-mu', 3, { maxUnavailable: 2 });
    await restart(j);
    const { perPass } = await restartToEnd(j, 3, 2);
    expect(Math.max(...perPass)).toBe(2);
    expect(perPass.reduce((a, b) => a + b, 0)).toBe(3);
    expect((await j.rollout('reviews')).status?.phase).toBe('Healthy');
  });

  it('a PodDisruptionBudget refusal (429) is skipped: nothing evicted, run again in 30 s; evicted once it is gone', async () => {
    const { j, before } = await healthyWithPods('restart-pdb', 2);
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'reviews', namespace: j.ns },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'reviews' } } },
    };
    expect(
      (await j.backend.request('POST', `/apis/policy/v1/namespaces/${j.ns}/poddisruptionbudgets`, pdb))
        .status,
    ).toBe(201);
    await restart(j);
    const { gw, calls } = recording(j.gw);
    const refused = await pass(j, gw, calls);
    // Each old pod is tried (a 429 does not use the budget), both are refused, the pass goes on.
    expect(refused.evicted).toBe(2);
    expect(refused.r.requeueAfterSeconds).toBe(30);
    expect(refused.r.reason).toContain('pod(s) older than restartAt wait for their restart');
    expect((await pods(j)).map((p) => p.metadata.name).sort()).toEqual(
      before.map((p) => p.metadata.name).sort(),
    );
    expect((await j.rollout('reviews')).status?.['restartedAt']).toBeUndefined();
    expect(
      (await j.backend.request('DELETE', `/apis/policy/v1/namespaces/${j.ns}/poddisruptionbudgets/reviews`))
        .status,
    ).toBe(200);
    await restartToEnd(j, 2, 1);
    expect((await j.rollout('reviews')).status?.['restartedAt']).toBeDefined();
  });

  it('a plan with the server dry run (sluice plan) evicts nothing: no eviction sent, every pod kept', async () => {
    const { j, before } = await healthyWithPods('restart-dry', 2);
    await restart(j);
    const { gw, calls } = recording(j.gw);
    const observed = await observe(gw, j.ns, 'reviews', new Date());
    if (!observed) throw new Error('rollout not found');
    expect(observed.pods?.length).toBe(2);
    const p = plan(observed);
    await applyPlan(gw, observed.rollout, p, { dryRun: true });
    expect(calls.filter((c) => c.startsWith('evict'))).toEqual([]);
    expect((await pods(j)).map((x) => x.metadata.name).sort()).toEqual(
      before.map((x) => x.metadata.name).sort(),
    );
    expect((await j.rollout('reviews')).status?.['restartedAt']).toBeUndefined();
  });

  it('a restartAt in the future does nothing until its time, wakes the Rollout then, and is due from then on', async () => {
    const { j } = await healthyWithPods('restart-later', 2);
    const atMs = Math.ceil(Date.now() / 1000) * 1000 + 3600_000;
    const at = rfc3339(atMs);
    await j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', { spec: { restartAt: at } });
    const { gw, calls } = recording(j.gw);
    const early = await runStep({ gateway: gw, now: () => new Date() }, { namespace: j.ns, name: 'reviews' });
    expect(calls.filter((c) => c.endsWith(' pods'))).toEqual([]);
    expect(early.wakeAt).toBe(new Date(atMs).toISOString());
    const r = await j.rollout('reviews');
    expect(dueReason(r, new Date(atMs + 1000))).toBe('restart due (spec.restartAt passed)');
    const late = await runStep(
      { gateway: gw, now: () => new Date(atMs + 1000) },
      { namespace: j.ns, name: 'reviews' },
    );
    expect(calls.filter((c) => c === 'evict pods')).toHaveLength(1);
    expect(late.requeueAfterSeconds).toBe(30);
  });

  it('a foreign pod with the same labels (not owned by the ReplicaSets) is never evicted', async () => {
    const { j } = await healthyWithPods('restart-foreign', 2);
    const foreign = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'foreign', labels: { app: 'reviews' } },
      spec: { containers: [{ name: 'app', image: 'other:1' }] },
    };
    expect((await j.backend.request('POST', `/api/v1/namespaces/${j.ns}/pods`, foreign)).status).toBe(201);
    await restart(j);
    const { calls } = await restartToEnd(j, 2, 1);
    expect(calls.filter((c) => c === 'evict pods')).toHaveLength(2);
    expect(await j.gw.get('pods', j.ns, 'foreign')).toBeDefined();
    expect((await j.rollout('reviews')).status?.['restartedAt']).toBeDefined();
  });
});
