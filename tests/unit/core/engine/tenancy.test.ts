/** Tables for the tenancy decision: which VirtualServices, DestinationRules, Services and routes a Rollout may change. */
import { describe, expect, it } from '@jest/globals';
import {
  allowsRollout,
  forbiddenWrite,
  ownershipError,
  resolveServiceHost,
  routeOwnershipError,
} from '../../../../shared/core/engine/tenancy.js';
import { validationError } from '../../../../shared/core/engine/validation.js';
import { plan } from '../../../../shared/core/engine/plan.js';
import type { Target } from '../../../../shared/core/engine/types.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';
import { NS, World, virtualService } from './support/fixtures.js';

type Dest = { destination: { host: string; subset?: string }; weight?: number };

function routeOf(vs: KubeObject): Dest[] {
  return (vs.spec as { http: { route: Dest[] }[] }).http[0]!.route;
}

/** A host-level world whose only VirtualService is `name.ns` (or `name` in the Rollout's namespace). */
function crossNamespace(ns: string, annotation?: string, hosts?: (h: string) => string): World {
  const w = new World('host');
  w.rollout.spec.strategy!.canary!.trafficRouting!.istio = {
    virtualService: { name: ns === NS ? 'web' : `web.${ns}`, routes: ['primary'] },
  };
  const vs = virtualService('host', 'web', ns);
  if (annotation !== undefined) vs.metadata.annotations = { 'sluice.io/allow-rollouts': annotation };
  if (hosts) for (const d of routeOf(vs)) d.destination.host = hosts(d.destination.host);
  w.virtualServices = { [`${ns}/web`]: vs };
  return w;
}

const fqdn = (h: string): string => `${h}.${NS}.svc.cluster.local`;

describe('resolveServiceHost', () => {
  it.each([
    ['reviews', 'shop', { namespace: 'shop', name: 'reviews' }],
    ['reviews.other', 'shop', { namespace: 'other', name: 'reviews' }],
    ['reviews.other.svc', 'shop', { namespace: 'other', name: 'reviews' }],
    ['reviews.other.svc.cluster.local', 'shop', { namespace: 'other', name: 'reviews' }],
    ['reviews.other.svc.corp.internal', 'shop', { namespace: 'other', name: 'reviews' }],
    ['api.example.com', 'shop', undefined],
    ['reviews..svc', 'shop', undefined],
    ['', 'shop', undefined],
  ])('%s seen from %s', (host, from, expected) => {
    expect(resolveServiceHost(host, from)).toEqual(expected);
  });
});

describe('allowsRollout', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['shop/demo', true],
    [' other/x , shop/demo ', true],
    ['shop/*', true],
    ['shop/demo2', false],
    ['shop', false],
    ['*/*', false],
    ['other/*', false],
    ['*', false],
  ])('%j lets shop/demo in: %s', (annotation, expected) => {
    expect(allowsRollout(annotation, 'shop', 'demo')).toBe(expected);
  });
});

describe('which VirtualServices and DestinationRules a Rollout may change', () => {
  const cases: [string, World, RegExp | undefined][] = [
    ['own namespace', crossNamespace(NS), undefined],
    [
      'another namespace, no annotation',
      crossNamespace('team-b', undefined, fqdn),
      /team-b\/web is in another/,
    ],
    ['kube-system, no annotation', crossNamespace('kube-system', undefined, fqdn), /kube-system\/web/],
    ['another namespace, opted in by name', crossNamespace('team-b', 'shop/demo', fqdn), undefined],
    ['another namespace, opted in for the namespace', crossNamespace('team-b', 'shop/*', fqdn), undefined],
    [
      'another namespace, opted in for another Rollout',
      crossNamespace('team-b', 'shop/other', fqdn),
      /opted in/,
    ],
    [
      'another namespace, opted in for another namespace',
      crossNamespace('team-b', 'team-c/*', fqdn),
      /opted in/,
    ],
  ];
  it.each(cases)('%s', (_name, w, refused) => {
    const err = ownershipError(w.observed());
    if (refused) expect(err).toMatch(refused);
    else expect(err).toBeUndefined();
  });

  it('names the object, the field and the annotation to set', () => {
    expect(ownershipError(crossNamespace('team-b', undefined, fqdn).observed())).toBe(
      'spec.strategy.canary.trafficRouting.istio.virtualService.name: Forbidden: VirtualService team-b/web is in ' +
        'another namespace that has not opted in for Rollout shop/demo: its annotation sluice.io/allow-rollouts ' +
        'must list "shop/demo" or "shop/*"',
    );
  });

  it('a VirtualService that is not there is left to the not-found check', () => {
    const w = crossNamespace('team-b');
    w.virtualServices = {};
    expect(ownershipError(w.observed())).toBeUndefined();
    expect(validationError(w.observed())).toMatch(/virtualservices.networking.istio.io "web" not found/);
  });

  it('a DestinationRule claimed by another Rollout is refused, by this one or by none it is not', () => {
    const w = new World('subset');
    expect(ownershipError(w.observed())).toBeUndefined();
    w.destinationRule!.metadata.annotations = { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'demo' };
    expect(ownershipError(w.observed())).toBeUndefined();
    w.destinationRule!.metadata.annotations = { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'cart' };
    expect(ownershipError(w.observed())).toBe(
      'spec.strategy.canary.trafficRouting.istio.destinationRule.name: Forbidden: DestinationRule shop/demo-dr ' +
        'is managed by another Rollout ("cart")',
    );
  });
});

describe('which routes a Rollout may weight', () => {
  function host(mutate: (route: Dest[]) => void, ns = NS, annotation = 'shop/demo'): World {
    const w = crossNamespace(ns, ns === NS ? undefined : annotation);
    mutate(routeOf(w.vs(`${ns}/web`)));
    return w;
  }
  function subset(mutate: (route: Dest[], dr: KubeObject) => void): World {
    const w = new World('subset');
    mutate(routeOf(w.vs()), w.destinationRule!);
    return w;
  }
  const cases: [string, World, RegExp | undefined][] = [
    ['host-level, short names', host(() => {}), undefined],
    [
      'host-level, FQDNs of its namespace',
      host((r) => r.forEach((d) => (d.destination.host = fqdn(d.destination.host)))),
      undefined,
    ],
    [
      'host-level, its Service name in another namespace',
      host((r) => (r[0]!.destination.host = 'demo-stable.team-b.svc.cluster.local')),
      /destination "demo-stable.team-b.svc.cluster.local" is not this Rollout's Service shop\/demo-stable/,
    ],
    [
      'host-level, short names in an opted-in VirtualService of another namespace',
      host(() => {}, 'team-b'),
      /VirtualService team-b\/web route http\[0\] \("primary"\): destination "demo-stable" is not this Rollout's/,
    ],
    [
      'host-level, FQDNs in an opted-in VirtualService of another namespace',
      host((r) => r.forEach((d) => (d.destination.host = fqdn(d.destination.host))), 'team-b'),
      undefined,
    ],
    [
      'a third destination with traffic',
      host((r) => r.push({ destination: { host: 'payments' }, weight: 10 })),
      /destination "payments" \(weight 10\) is not this Rollout's; the route is not changed/,
    ],
    [
      'a third destination without traffic',
      host((r) => r.push({ destination: { host: 'payments' }, weight: 0 })),
      undefined,
    ],
    ['subset-level, the DestinationRule host', subset(() => {}), undefined],
    [
      'subset-level, subset names matched on another host',
      subset((r) => (r[1]!.destination.host = 'payments')),
      /destination "payments" subset "canary" is not on the DestinationRule's host "demo"/,
    ],
    [
      'subset-level, the host written as FQDN on both sides',
      subset((r, dr) => {
        r.forEach((d) => (d.destination.host = fqdn('demo')));
        (dr.spec as { host: string }).host = `demo.${NS}.svc`;
      }),
      undefined,
    ],
    [
      'subset-level, same short name in another namespace',
      subset((r) => (r[0]!.destination.host = 'demo.team-b.svc.cluster.local')),
      /subset "stable" is not on the DestinationRule's host/,
    ],
    [
      'subset-level, a DestinationRule without host',
      subset((_r, dr) => delete (dr.spec as { host?: string }).host),
      /is not on the DestinationRule's host ""/,
    ],
  ];
  it.each(cases)('%s', (_name, w, refused) => {
    const err = routeOwnershipError(w.observed());
    if (refused) expect(err).toMatch(refused);
    else expect(err).toBeUndefined();
  });
});

describe('a refusal is an InvalidSpec plan with zero effects', () => {
  it.each([
    ['kube-system VirtualService', crossNamespace('kube-system', undefined, fqdn)],
    ['route to another namespace', crossNamespace(NS, undefined, (h) => `${h}.team-b.svc.cluster.local`)],
  ])('%s', (_name, w) => {
    const p = plan(w.observed());
    expect(p.effects).toEqual([]);
    expect(p.transition).toBe('invalid-spec');
    expect(p.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toMatch(
      /^The Rollout "demo" is invalid: spec.strategy.canary.trafficRouting.istio.virtualService.name: Forbidden: /,
    );
    expect(p.status?.phase).toBe('Degraded');
  });
});

describe('forbiddenWrite', () => {
  const w = crossNamespace('team-b', 'shop/demo', fqdn);
  const subsetWorld = new World('subset');
  const t = (resource: Target['resource'], namespace: string, name: string): Target => ({
    resource,
    namespace,
    name,
  });
  it.each([
    ['its status', w, t('rollouts', NS, 'demo'), true],
    ['another Rollout', w, t('rollouts', NS, 'cart'), false],
    ['a ReplicaSet in its namespace', w, t('replicasets', NS, 'demo-abc'), true],
    ['a ReplicaSet elsewhere', w, t('replicasets', 'team-b', 'demo-abc'), false],
    ['its canary Service', w, t('services', NS, 'demo-canary'), true],
    ['another Service of its namespace', w, t('services', NS, 'payments'), false],
    ['its Service name in another namespace', w, t('services', 'team-b', 'demo-canary'), false],
    ['the opted-in VirtualService', w, t('virtualservices', 'team-b', 'web'), true],
    ['a VirtualService it does not reference', w, t('virtualservices', NS, 'demo-vs'), false],
    [
      'that VirtualService once the opt-in is gone',
      crossNamespace('team-b', undefined, fqdn),
      t('virtualservices', 'team-b', 'web'),
      false,
    ],
    ['its DestinationRule', subsetWorld, t('destinationrules', NS, 'demo-dr'), true],
    ['another DestinationRule', subsetWorld, t('destinationrules', NS, 'other'), false],
    ['an Event', w, t('events', NS, 'demo.1'), false],
    ['a Secret', w, t('secrets', NS, 'x'), false],
  ])('%s', (_name, world, target, allowed) => {
    const refusal = forbiddenWrite(world.observed(), target);
    if (allowed) expect(refusal).toBeUndefined();
    else
      expect(refusal).toBe(
        `refused to write ${target.resource} ${target.namespace}/${target.name}: it is not Rollout shop/demo's to change`,
      );
  });
});
