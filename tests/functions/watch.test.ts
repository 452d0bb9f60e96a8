/**
 * The watch function against the real API server: a watch that ends with 410 Gone relists and resumes, and a
 * change made after that is still reported as drift; and the function returns before its time budget even when a
 * watch stream never ends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import type { KubeGateway, WatchHandle } from '../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { createWatchHandler, type WatchResult } from '../../functions/watch/handler.js';
import { adminRequest, applyObjects, createNamespace } from '../support/cluster.js';
import { adminGateway } from '../journeys/harness.js';
import { hostSeed } from '../journeys/fixtures.js';
import {
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  scheduledEvent,
  testDeps,
  quiet,
} from './support.js';

// Unique per run: Rollouts other runs left on a shared cluster must not be listed, ticked or watched here.
const INSTANCE = `fn-watch-${randomBytes(3).toString('hex')}`;

/** Passes everything through, but lets the test replace `watch` and counts lists and watches per resource. */
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
        watches.push(`${r}@${rv}`);
        return watch ? watch(r, ns, rv, onEvent) : inner.watch(r, ns, rv, onEvent);
      },
    },
  });
  return { gw, lists, watches };
}

describe('watch function', () => {
  let ns: string;
  let bus: ReturnType<typeof mockEventBridge>;
  beforeAll(async () => {
    ns = await createNamespace('fn-watch');
    await applyObjects(
      ns,
      hostSeed().map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o)),
    );
    bus = mockEventBridge();
  });
  afterAll(() => bus.mock.restore());

  it('after 410 Gone it relists, resumes, and still reports a later change as drift', async () => {
    const admin = adminGateway();
    let expired = false;
    const g = wrapped(admin, (r, n, rv, onEvent) => {
      if (r === 'virtualservices' && !expired) {
        expired = true;
        const done = Promise.reject(
          new KubeApiError(
            { verb: 'watch', resource: 'virtualservices.networking.istio.io' },
            410,
            'Expired',
            'too old resource version',
          ),
        );
        return { stop: () => undefined, done } satisfies WatchHandle;
      }
      return admin.watch(r, n, rv, onEvent);
    });
    const handler = createWatchHandler(async () => testDeps(g.gw, INSTANCE), quiet, new Map());
    const seen = bus.entries().length;
    const running = handler(scheduledEvent(), lambdaContext(34_000)) as Promise<WatchResult>;
    // Wait until the watch has resumed after the relist, then change the VirtualService.
    for (let i = 0; i < 100 && g.watches.filter((w) => w.startsWith('virtualservices')).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    const patched = await adminRequest(
      'PATCH',
      `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/reviews`,
      { metadata: { annotations: { 'example.com/touched': 'yes' } } },
    );
    expect(patched.status).toBe(200);
    const result = await running;

    // Listed at start and again after the 410; the watch was then opened again (resumed).
    expect(g.lists.filter((r) => r === 'virtualservices')).toHaveLength(2);
    const vsWatches = g.watches.filter((w) => w.startsWith('virtualservices'));
    expect(vsWatches.length).toBeGreaterThanOrEqual(2);
    expect(result.relists).toBeGreaterThanOrEqual(4); // three kinds at start, VirtualServices again after 410
    expect(result.errors).toBe(0);
    const drift = bus
      .entries()
      .slice(seen)
      .filter(
        (e) =>
          e.detailType === 'sluice.drift' && e.detail.kind === 'VirtualService' && e.detail.namespace === ns,
      );
    expect(drift.map((e) => e.detail.resourceVersion)).toContain(patched.body.metadata.resourceVersion);
  });

  it('returns before its time budget even when a watch stream never ends', async () => {
    const hanging: KubeGateway['watch'] = () => ({
      stop: () => undefined,
      done: new Promise<void>(() => undefined),
    });
    const g = wrapped(adminGateway(), hanging);
    const handler = createWatchHandler(async () => testDeps(g.gw, INSTANCE), quiet, new Map());
    const ctx = lambdaContext(32_500); // 30 s held back: about 2.5 s of watching
    const started = Date.now();
    const result = (await handler(scheduledEvent(), ctx)) as WatchResult;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(3500);
    expect(ctx.getRemainingTimeInMillis()).toBeGreaterThan(29_000);
    expect(result).toMatchObject({ clusters: 1, errors: 0 });
    // VirtualServices, DestinationRules, Services (drift) and Rollouts, ReplicaSets (work due).
    expect(g.watches.map((w) => w.split('@')[0]).sort()).toEqual([
      'destinationrules',
      'replicasets',
      'rollouts',
      'services',
      'virtualservices',
    ]);
  });
});
