/**
 * Route shapes on the real kube-apiserver: a TCP route matched by port, header and mirror routes with
 * managedRoutes (appear on their steps in order, follow the weights, survive a foreign revert, go at promotion),
 * and two VirtualServices, one of them in another namespace (`name.namespace`).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../shared/core/model/types.js';
import { createObjects } from '../support/journey-backends.js';
import { brief, routeWeights, selectorHash, startJourney, type Journey } from './harness.js';
import { IMAGE_V2, routesSeed, tcpSeed, twoVirtualServicesSeed } from './fixtures.js';

let journeys: Journey[] = [];
afterEach(async () => {
  await Promise.all(journeys.map((j) => j.stop()));
  journeys = [];
});

async function begin(prefix: string, objects: unknown[]): Promise<Journey> {
  const j = await startJourney(prefix, objects);
  journeys.push(j);
  return j;
}

const healthy = (j: Journey) => j.drive('reviews', (r) => r.status?.phase === 'Healthy');
const pausedAt = (j: Journey, step: number) =>
  j.drive('reviews', (r) => r.status?.currentStepIndex === step && r.status.phase === 'Paused');

type Http = { name?: string; match?: unknown; route?: unknown; mirror?: unknown; mirrorPercentage?: unknown };
const httpRoutes = (vs: KubeObject): Http[] => (vs.spec as { http?: Http[] }).http ?? [];
const routeNames = (vs: KubeObject): (string | undefined)[] => httpRoutes(vs).map((r) => r.name);
const PORT = { number: 8080 };
const split = (stable: number, canary: number) => [
  { destination: { host: 'reviews-stable', port: PORT }, weight: stable },
  { destination: { host: 'reviews-canary', port: PORT }, weight: canary },
];
const HEADER_ROUTE = {
  name: 'set-header-1',
  match: [{ headers: { agent: { regex: '.*firefox.*' } } }],
  route: [{ destination: { host: 'reviews-canary', port: PORT }, weight: 100 }],
};

describe('journey: TCP route matched by port', () => {
  it('weights the tcp route on port 3000 through the steps and back to 100/0 at promotion', async () => {
    const j = await begin('tcp', tcpSeed());
    const h1 = (await healthy(j)).status?.stableRS;
    const tcp = async () => routeWeights(await j.get('virtualservices', 'reviews'), 'tcp');
    expect(await tcp()).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
    await j.setImage('reviews', IMAGE_V2);
    const paused = await pausedAt(j, 1);
    expect(brief(paused.status)).toEqual({ step: 1, phase: 'Paused', canary: 20, stable: 80 });
    expect(await tcp()).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    const vs = await j.get('virtualservices', 'reviews');
    expect((vs.spec as { tcp: { match: unknown }[] }).tcp[0]?.match).toEqual([{ port: 3000 }]);
    expect((vs.spec as { http?: unknown }).http).toBeUndefined();
    expect(selectorHash(await j.get('services', 'reviews-canary'))).toBe(paused.status?.currentPodHash);
    expect(selectorHash(await j.get('services', 'reviews-stable'))).toBe(h1);
    expect(await j.events('reviews')).toContainEqual(
      expect.objectContaining({
        reason: 'Updated VirtualService',
        message: "VirtualService `reviews` set to desiredWeight '20'",
      }),
    );
    expect(await j.action('reviews', 'promote-full')).toMatchObject({ ok: true });
    const done = await healthy(j);
    expect(done.status?.stableRS).toBe(paused.status?.currentPodHash);
    expect(await tcp()).toEqual([
      ['reviews-stable', 100],
      ['reviews-canary', 0],
    ]);
  });
});

describe('journey: header and mirror routes with managedRoutes', () => {
  it('adds, orders, weights, restores and finally removes the managed routes', async () => {
    const j = await begin('routes', routesSeed());
    await healthy(j);
    expect(routeNames(await j.get('virtualservices', 'reviews'))).toEqual(['primary']);
    await j.setImage('reviews', IMAGE_V2);

    // Steps 1-2: setWeight 20, header route, pause. The header route goes first (managedRoutes order).
    let r = await pausedAt(j, 2);
    expect(brief(r.status)).toEqual({ step: 2, phase: 'Paused', canary: 20, stable: 80 });
    let vs = await j.get('virtualservices', 'reviews');
    expect(httpRoutes(vs)).toEqual([HEADER_ROUTE, { name: 'primary', route: split(80, 20) }]);

    // A GitOps sync reverts the VirtualService to its manifest while the rollout waits on the pause.
    await j.patch(`/apis/networking.istio.io/v1/namespaces/{ns}/virtualservices/reviews`, {
      spec: { http: [{ name: 'primary', route: split(100, 0) }] },
    });
    expect(routeNames(await j.get('virtualservices', 'reviews'))).toEqual(['primary']);
    r = await pausedAt(j, 2);
    vs = await j.get('virtualservices', 'reviews');
    expect(httpRoutes(vs)).toEqual([HEADER_ROUTE, { name: 'primary', route: split(80, 20) }]);
    expect(r.status?.currentStepIndex).toBe(2);

    // Steps 3-5: mirror route (a copy of the primary's destinations), setWeight 40, pause.
    expect(await j.action('reviews', 'promote', 2)).toMatchObject({ ok: true });
    r = await pausedAt(j, 5);
    expect(brief(r.status)).toEqual({ step: 5, phase: 'Paused', canary: 40, stable: 60 });
    vs = await j.get('virtualservices', 'reviews');
    expect(routeNames(vs)).toEqual(['set-header-1', 'mirror-route', 'primary']);
    expect(httpRoutes(vs)[1]).toEqual({
      name: 'mirror-route',
      match: [{ method: { exact: 'GET' }, uri: { prefix: '/' } }],
      route: split(60, 40),
      mirror: { host: 'reviews-canary', port: PORT },
      mirrorPercentage: { value: 50 },
    });
    expect(httpRoutes(vs)[0]).toEqual(HEADER_ROUTE);
    expect(httpRoutes(vs)[2]).toEqual({ name: 'primary', route: split(60, 40) });

    // Steps 6-7: the header route step without a match removes it; the mirror route stays.
    expect(await j.action('reviews', 'promote', 5)).toMatchObject({ ok: true });
    await pausedAt(j, 7);
    expect(routeNames(await j.get('virtualservices', 'reviews'))).toEqual(['mirror-route', 'primary']);

    // promote --full: managed routes removed, 100/0, the canary becomes stable.
    expect(await j.action('reviews', 'promote-full')).toMatchObject({ ok: true });
    r = await healthy(j);
    expect(r.status?.promoteFull).toBeUndefined();
    expect(r.status?.stableRS).toBe(r.status?.currentPodHash);
    expect(httpRoutes(await j.get('virtualservices', 'reviews'))).toEqual([
      { name: 'primary', route: split(100, 0) },
    ]);
    const messages = (await j.events('reviews')).map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "Updated VirtualService: VirtualService `reviews` set headerRoute 'set-header-1'",
        "Updated VirtualService: VirtualService `reviews` set mirrorRoute 'mirror-route'",
        'Updated VirtualService: VirtualService `reviews` removed all managed routes.',
        'RolloutStepCompleted: Rollout step 2/8 completed (setHeaderRoute: set-header-1)',
        'RolloutStepCompleted: Rollout step 4/8 completed (setMirrorRoute: mirror-route)',
        'RolloutStepCompleted: Rollout step 7/8 completed (setHeaderRoute: set-header-1)',
        expect.stringMatching(/^RolloutCompleted: .*Full promotion requested$/),
      ]),
    );
    // As Argo: one route Event per route step (set at step 1, removed at step 6), none for the revert put right.
    expect(messages.filter((m) => / set (header|mirror)Route /.test(m)).sort()).toEqual(
      [
        "Updated VirtualService: VirtualService `reviews` set headerRoute 'set-header-1'",
        "Updated VirtualService: VirtualService `reviews` set headerRoute 'set-header-1'",
        "Updated VirtualService: VirtualService `reviews` set mirrorRoute 'mirror-route'",
      ].sort(),
    );
  });
});

describe('journey: two VirtualServices, one in another namespace', () => {
  it('weights both (the second named name.namespace, FQDN destinations) and keeps their other fields', async () => {
    const j = await begin('two-vs', []);
    const other = await j.backend.createNamespace('two-vs-edge');
    if (j.backend.name === 'cluster') {
      const res = await j.backend.request('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: other },
      });
      expect([201, 409]).toContain(res.status);
    }
    await createObjects(j.backend, j.ns, twoVirtualServicesSeed(j.ns, other));
    await healthy(j);
    await j.setImage('reviews', IMAGE_V2);
    await pausedAt(j, 1);
    const edge = await j.gw.get('virtualservices', other, 'reviews-edge');
    expect(edge && routeWeights(edge)).toEqual([
      [`reviews-stable.${j.ns}.svc.cluster.local`, 80],
      [`reviews-canary.${j.ns}.svc.cluster.local`, 20],
    ]);
    expect((edge?.spec as { gateways?: string[] }).gateways).toEqual(['istio-system/edge']);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews-stable', 80],
      ['reviews-canary', 20],
    ]);
    expect(await j.events('reviews')).toContainEqual(
      expect.objectContaining({
        reason: 'Updated VirtualService',
        message: "VirtualService `reviews-edge` set to desiredWeight '20'",
      }),
    );
    const weightsOfBoth = async () =>
      [
        await j.get('virtualservices', 'reviews'),
        await j.gw.get('virtualservices', other, 'reviews-edge'),
      ].map((vs) => vs && routeWeights(vs).map(([, w]) => w));
    expect(await j.action('reviews', 'promote', 1)).toMatchObject({ ok: true });
    await pausedAt(j, 3);
    expect(await weightsOfBoth()).toEqual([
      [50, 50],
      [50, 50],
    ]);
    j.clock.advance(3);
    await healthy(j);
    expect(await weightsOfBoth()).toEqual([
      [100, 0],
      [100, 0],
    ]);
  });
});
