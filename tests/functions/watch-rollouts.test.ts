/**
 * The watch on what moves a rollout, on the real API server, through the control loop's `watchCluster` (what the
 * watch function and `sluice run` both run): a never-reconciled Rollout, a new image, an owned ReplicaSet becoming
 * available and a `kubectl argo rollouts abort` each become one `sluice.step` on the bus; sluice's own commits
 * do not; after a 410 Gone on the Rollout watch it relists and still reports a later action.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { watchCluster } from '../../shared/app/control-loop.js';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import type { KubeGateway, WatchHandle } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { runUntilSettled } from '../../shared/app/step.js';
import type { WatchCounters } from '../../shared/app/watch.js';
import type { Rollout } from '../../shared/core/model/types.js';
import { loopDeps } from '../../shared/runtimes/lambda/deps.js';
import { adminRequest, applyObjects, createNamespace } from '../support/cluster.js';
import { markReplicaSetReady } from '../support/kubelet.js';
import { recordingLogger } from '../support/recording-logger.js';
import { adminGateway } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import { instanceLabelled, mockEventBridge, testDeps } from './support.js';

const INSTANCE = `fn-wrs-${randomBytes(3).toString('hex')}`;
const STEPS = [{ setWeight: 20 }, { pause: {} }];

/** Counts lists and watches per resource; `watch` may be replaced for one resource. */
function wrapped(inner: KubeGateway, watch?: KubeGateway['watch']) {
  const lists: string[] = [];
  const watches: string[] = [];
  const gw = decorateGateway(inner, {
    around: (request, send) => {
      if (request.method === 'list') lists.push(request.resource);
      return send(inner);
    },
    overrides: {
      watch: (r, ns, rv, onEvent) => {
        watches.push(r);
        return watch ? watch(r, ns, rv, onEvent) : inner.watch(r, ns, rv, onEvent);
      },
    },
  });
  return { gw, lists, watches };
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watching Rollouts and their ReplicaSets', () => {
  let bus: ReturnType<typeof mockEventBridge>;
  beforeAll(() => {
    bus = mockEventBridge();
  });
  afterAll(() => bus.mock.restore());

  /** Starts watchCluster on `gw`; returns the stop function, the counters and the reasons logged per wake. */
  function startWatch(gw: KubeGateway) {
    const abort = new AbortController();
    const rec = recordingLogger();
    const counters: WatchCounters = { changes: 0, driftEvents: 0, stepEvents: 0, relists: 0, errors: 0 };
    const deps = loopDeps(testDeps(gw, INSTANCE));
    const running = watchCluster(deps, 'test', {
      memory: new Map(),
      counters,
      log: rec.log,
      signal: abort.signal,
    });
    const woken = (ns: string): string[] =>
      rec.entries
        .filter((e) => e.msg === 'rollout woken' && e.fields.namespace === ns)
        .flatMap((e) => e.fields.reasons as string[]);
    const stop = async () => {
      abort.abort();
      await running;
    };
    return { stop, counters, woken };
  }

  const stepsFor = (ns: string) =>
    bus.entries().filter((e) => e.detailType === 'sluice.step' && e.detail.namespace === ns);

  it('a new Rollout, a new image, a ReplicaSet available and an abort each request one pass', async () => {
    const ns = await createNamespace('fn-wrs');
    const g = wrapped(adminGateway());
    const w = startWatch(g.gw);
    try {
      await applyObjects(
        ns,
        hostSeed({ steps: STEPS }).map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o)),
      );
      await until('a step for the new Rollout', () =>
        w.woken(ns).includes(`Rollout ${ns}/reviews: never reconciled`),
      );
      const pass = { gateway: adminGateway(), now: () => new Date() };
      await runUntilSettled(pass, { namespace: ns, name: 'reviews' });
      const stable = (await stableRs(ns)) as string;
      await markReplicaSetReady(ns, stable);
      await until('a step for the available stable ReplicaSet', () =>
        w.woken(ns).includes(`ReplicaSet ${ns}/${stable} available`),
      );
      await runUntilSettled(pass, { namespace: ns, name: 'reviews' });
      const healthy = (await adminGateway().get('rollouts', ns, 'reviews')) as Rollout;
      expect(healthy.status?.phase).toBe('Healthy');

      // sluice's own commits made nothing due: only the creation and the stable ReplicaSet woke the Rollout.
      const beforeImage = stepsFor(ns).length;
      expect(w.woken(ns).filter((r) => r.startsWith('Rollout'))).toEqual([
        `Rollout ${ns}/reviews: never reconciled`,
      ]);

      await adminRequest('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews`, {
        spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } },
      });
      await until('a step for the new image', () => w.woken(ns).some((r) => r.includes('spec changed')));
      const imageStep = stepsFor(ns).slice(beforeImage);
      expect(imageStep).toHaveLength(1);
      expect(imageStep[0]?.detail).toEqual({
        cluster: 'test',
        namespace: ns,
        rollout: 'reviews',
        expectedStep: healthy.status?.currentStepIndex,
      });

      // The pass creates and scales the canary ReplicaSet; its becoming available wakes the Rollout (unpinned).
      await runUntilSettled(pass, { namespace: ns, name: 'reviews' });
      const canary = await canaryRs(ns);
      const beforeReady = stepsFor(ns).length;
      await markReplicaSetReady(ns, canary);
      await until('a step for the available canary', () =>
        w.woken(ns).includes(`ReplicaSet ${ns}/${canary} available`),
      );
      expect(
        stepsFor(ns)
          .slice(beforeReady)
          .map((e) => e.detail),
      ).toEqual([{ cluster: 'test', namespace: ns, rollout: 'reviews' }]);

      // kubectl argo rollouts abort writes status.abort.
      await adminRequest(
        'PATCH',
        `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews/status`,
        { status: { abort: true } },
        'application/merge-patch+json',
      );
      await until('a step for the abort', () =>
        w.woken(ns).includes(`Rollout ${ns}/reviews: abort requested`),
      );
      expect(w.counters.errors).toBe(0);
    } finally {
      await w.stop();
    }
  });

  it('after 410 Gone on the Rollout watch it relists, resumes, and reports a later action', async () => {
    const ns = await createNamespace('fn-wrs');
    await applyObjects(
      ns,
      hostSeed({ steps: STEPS }).map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o)),
    );
    const pass = { gateway: adminGateway(), now: () => new Date() };
    await runUntilSettled(pass, { namespace: ns, name: 'reviews' });
    const admin = adminGateway();
    let expired = false;
    const g = wrapped(admin, (r, n, rv, onEvent) => {
      if (r === 'rollouts' && !expired) {
        expired = true;
        const done = Promise.reject(
          new KubeApiError({ verb: 'watch', resource: 'rollouts.argoproj.io' }, 410, 'Expired', 'too old'),
        );
        return { stop: () => undefined, done } satisfies WatchHandle;
      }
      return admin.watch(r, n, rv, onEvent);
    });
    const w = startWatch(g.gw);
    try {
      await until(
        'the Rollout watch reopened after the 410',
        () => g.watches.filter((r) => r === 'rollouts').length >= 2,
      );
      expect(g.lists.filter((r) => r === 'rollouts').length).toBeGreaterThanOrEqual(2);
      await adminRequest(
        'PATCH',
        `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews/status`,
        { status: { abort: true } },
        'application/merge-patch+json',
      );
      await until('a step for the abort', () =>
        w.woken(ns).includes(`Rollout ${ns}/reviews: abort requested`),
      );
      expect(w.counters.relists).toBeGreaterThanOrEqual(2);
      expect(w.counters.errors).toBe(0);
    } finally {
      await w.stop();
    }
  });
});

async function replicaSets(ns: string): Promise<{ name: string; replicas: number; hash: string }[]> {
  const { items } = await adminGateway().list('replicasets', ns);
  return items.map((rs) => ({
    name: rs.metadata.name,
    replicas: (rs as unknown as { spec: { replicas?: number } }).spec.replicas ?? 0,
    hash: rs.metadata.labels?.['rollouts-pod-template-hash'] ?? '',
  }));
}

async function stableRs(ns: string): Promise<string | undefined> {
  return (await replicaSets(ns))[0]?.name;
}

async function canaryRs(ns: string): Promise<string> {
  const r = (await adminGateway().get('rollouts', ns, 'reviews')) as Rollout;
  const found = (await replicaSets(ns)).find((rs) => rs.hash === r.status?.currentPodHash);
  if (!found) throw new Error(`no canary ReplicaSet for ${ns}/reviews at ${r.status?.currentPodHash}`);
  return found.name;
}
