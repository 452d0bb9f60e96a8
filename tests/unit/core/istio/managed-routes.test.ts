import { describe, expect, it } from '@jest/globals';
import { IstioError } from '../../../../shared/core/istio/errors.js';
import {
  removeManagedRoutes,
  setHeaderRoute,
  setMirrorRoute,
} from '../../../../shared/core/istio/managed-routes.js';
import { setWeight } from '../../../../shared/core/istio/virtual-service.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';
import * as argo from './argo-vs.js';
import { HOSTS, httpNames, load, weights, yaml } from './helpers.js';

type Route = Record<string, unknown> & { name?: string };
const http = (vs: KubeObject): Route[] => (vs.spec as { http: Route[] }).http;
const REF = { name: 'vsvc', routes: ['primary'] };
const HOST_TARGET = { canaryService: 'canary', managedRoutes: ['header-route'] };
const firefox = { name: 'header-route', match: [{ headerName: 'agent', headerValue: { regex: 'firefox' } }] };

describe('setHeaderRoute', () => {
  it('TestHttpReconcileHeaderRouteHostBased: the header route goes first with the canary Service at weight 100', () => {
    const { object, modified } = setHeaderRoute(yaml(argo.regularVsvc()), REF, firefox, HOST_TARGET);
    expect(modified).toBe(true);
    expect(httpNames(object)).toEqual(['header-route', 'primary', 'secondary']);
    expect(http(object)[0]).toEqual({
      name: 'header-route',
      match: [{ headers: { agent: { regex: 'firefox' } } }],
      route: [{ destination: { host: 'canary' }, weight: 100 }],
    });
  });

  it('a step with only a name removes the header route again', () => {
    const set = setHeaderRoute(yaml(argo.regularVsvc()), REF, firefox, HOST_TARGET).object;
    const { object, modified } = setHeaderRoute(set, REF, { name: 'header-route' }, HOST_TARGET);
    expect(modified).toBe(true);
    expect(object).toEqual(yaml(argo.regularVsvc()));
  });

  it('TestHttpReconcileHeaderRouteSubsetBased: subset mode targets the DestinationRule host and the canary subset', () => {
    const vs = load('guide-subset-split.yaml');
    const { object } = setHeaderRoute(vs, { name: 'rollout-vsvc', routes: ['primary'] }, firefox, {
      destinationRuleHost: 'rollout-example',
      canarySubset: 'canary',
      managedRoutes: ['header-route'],
    });
    expect(http(object)[0]?.['route']).toEqual([
      { destination: { host: 'rollout-example', subset: 'canary' }, weight: 100 },
    ]);
  });

  it('TestHttpReconcileHeaderRouteWithExtra: the port of the weighted route is copied; retries and corsPolicy survive', () => {
    const vs = load('mixed.yaml');
    const ref = {
      name: 'vsvc',
      routes: ['primary'],
      tlsRoutes: [{ port: 3000 }],
      tcpRoutes: [{ port: 3000 }],
    };
    const { object } = setHeaderRoute(vs, ref, firefox, HOST_TARGET);
    expect(http(object)[0]?.['route']).toEqual([
      { destination: { host: 'canary', port: { number: 8443 } }, weight: 100 },
    ]);
    expect(http(object).slice(1)).toEqual(http(vs));
    const removed = removeManagedRoutes(object, ['header-route'], ['header-route']);
    expect(removed.object).toEqual(vs);
  });

  it('several match items become ORed match entries, one header each', () => {
    const step = {
      name: 'header-route',
      match: [
        { headerName: 'agent', headerValue: { exact: 'chrome' } },
        { headerName: 'x-canary', headerValue: { prefix: 'yes' } },
      ],
    };
    const { object } = setHeaderRoute(yaml(argo.regularVsvc()), REF, step, HOST_TARGET);
    expect(http(object)[0]?.['match']).toEqual([
      { headers: { agent: { exact: 'chrome' } } },
      { headers: { 'x-canary': { prefix: 'yes' } } },
    ]);
  });

  it('TestReconcileHeaderRouteAvoidDuplicates: setting it twice keeps one route and the second call is no modification', () => {
    const once = setHeaderRoute(yaml(argo.regularVsvc()), REF, firefox, HOST_TARGET);
    const twice = setHeaderRoute(once.object, REF, firefox, HOST_TARGET);
    expect(httpNames(twice.object).filter((n) => n === 'header-route')).toHaveLength(1);
    expect(twice.modified).toBe(false);
  });

  it('a VirtualService with only TLS routes is returned unchanged', () => {
    const vs = yaml(argo.singleRouteTlsVsvc);
    expect(setHeaderRoute(vs, REF, firefox, HOST_TARGET)).toEqual({ object: vs, modified: false });
  });

  it('refuses when neither canaryService nor a DestinationRule host is known', () => {
    expect(() => setHeaderRoute(yaml(argo.regularVsvc()), REF, firefox, {})).toThrow(IstioError);
  });
});

describe('setMirrorRoute', () => {
  const mirrorStep = (name: string, percentage?: number) => ({
    name,
    match: [{ method: { exact: 'GET' }, path: { prefix: '/' } }],
    ...(percentage === undefined ? {} : { percentage }),
  });
  const managedRoutes = ['mirror-route-2', 'mirror-route-3', 'mirror-route-1'];

  it('TestHttpReconcileMirrorRoute: prepended, copies the weighted route, mirrors to canary at 100% by default', () => {
    const { object, modified } = setMirrorRoute(yaml(argo.regularVsvc()), REF, mirrorStep('mirror-route-1'), {
      canaryService: 'canary',
      managedRoutes,
    });
    expect(modified).toBe(true);
    expect(http(object)[0]).toEqual({
      name: 'mirror-route-1',
      match: [{ method: { exact: 'GET' }, uri: { prefix: '/' } }],
      route: [
        { destination: { host: 'stable' }, weight: 100 },
        { destination: { host: 'canary' }, weight: 0 },
      ],
      mirror: { host: 'canary' },
      mirrorPercentage: { value: 100 },
    });
  });

  it('an explicit percentage is written; a name-only step removes the route', () => {
    const set = setMirrorRoute(yaml(argo.regularVsvc()), REF, mirrorStep('mirror-route-1', 90), {
      ...HOSTS,
      managedRoutes,
    });
    expect(http(set.object)[0]?.['mirrorPercentage']).toEqual({ value: 90 });
    const removed = setMirrorRoute(set.object, REF, { name: 'mirror-route-1' }, { ...HOSTS, managedRoutes });
    expect(removed.object).toEqual(yaml(argo.regularVsvc()));
  });

  it('TestHttpReconcileMirrorRouteOrder: routes end up in managedRoutes order above primary/secondary and follow weights', () => {
    let vs = yaml(argo.regularVsvc());
    for (const name of ['mirror-route-1', 'mirror-route-2', 'mirror-route-3']) {
      vs = setMirrorRoute(vs, REF, mirrorStep(name), { ...HOSTS, managedRoutes }).object;
    }
    expect(httpNames(vs)).toEqual([...managedRoutes, 'primary', 'secondary']);
    const weighted = setWeight(vs, REF, { ...HOSTS, weight: 40, managedRoutes }).object;
    expect([0, 1, 2, 3].map((i) => weights(weighted, 'http', i))).toEqual(
      Array(4).fill(['stable=60', 'canary=40']),
    );
    expect(weights(weighted, 'http', 4)).toEqual(['stable=100', 'canary=0']);
  });

  it('TestHttpReconcileMirrorRouteWithExtraFields: the copied destinations keep ports and extra fields; the mirror gets the port', () => {
    const vs = load('mixed.yaml');
    const ref = {
      name: 'vsvc',
      routes: ['primary'],
      tlsRoutes: [{ port: 3000 }],
      tcpRoutes: [{ port: 3000 }],
    };
    const { object } = setMirrorRoute(vs, ref, mirrorStep('mirror-route-1'), { ...HOSTS, managedRoutes });
    expect(http(object)[0]?.['route']).toEqual(http(vs)[0]?.['route']);
    expect(http(object)[0]?.['mirror']).toEqual({ host: 'canary', port: { number: 8443 } });
  });

  it('TestHttpReconcileMirrorRouteSubset: subset mode mirrors to the DestinationRule host and canary subset', () => {
    const { object } = setMirrorRoute(
      load('guide-subset-split.yaml'),
      { name: 'rollout-vsvc', routes: ['primary'] },
      mirrorStep('m'),
      {
        destinationRuleHost: 'rollout-example',
        canarySubset: 'canary',
        managedRoutes: ['m'],
      },
    );
    expect(http(object)[0]?.['mirror']).toEqual({ host: 'rollout-example', subset: 'canary' });
  });

  it('refuses when the Rollout route to copy does not exist', () => {
    expect(() =>
      setMirrorRoute(yaml(argo.regularVsvc()), { name: 'vsvc', routes: ['nope'] }, mirrorStep('m'), HOSTS),
    ).toThrow("HTTP Route 'nope' is not found in the defined Virtual Service.");
  });
});

describe('removeManagedRoutes', () => {
  const withManaged = (): KubeObject => {
    let vs = yaml(argo.regularVsvc());
    vs = setHeaderRoute(vs, REF, firefox, {
      ...HOSTS,
      managedRoutes: ['header-route', 'mirror-route'],
    }).object;
    return setMirrorRoute(
      vs,
      REF,
      { name: 'mirror-route', match: [{ method: { exact: 'GET' } }] },
      {
        ...HOSTS,
        managedRoutes: ['header-route', 'mirror-route'],
      },
    ).object;
  };

  it.each([
    ['managed routes by managedRoutes', ['header-route', 'mirror-route'], []],
    ['managed routes by step names only', [], ['header-route', 'mirror-route']],
    ['managed routes by both', ['header-route', 'mirror-route'], ['header-route']],
  ])('removes %s and keeps user routes in order', (_, managed, steps) => {
    const vs = withManaged();
    expect(httpNames(vs)).toEqual(['header-route', 'mirror-route', 'primary', 'secondary']);
    const { object, modified } = removeManagedRoutes(vs, managed, steps);
    expect(modified).toBe(true);
    expect(object).toEqual(yaml(argo.regularVsvc()));
  });

  it.each([
    [
      'nothing to remove (Argo re-Updates when steps exist)',
      yaml(argo.regularVsvc()),
      ['header-route'],
      ['mirror-route'],
    ],
    ['TestSingleTlsRouteReconcile: no spec.http', yaml(argo.singleRouteTlsVsvc), ['header-route'], []],
    ['an unnamed route is never removed', yaml(argo.singleRouteVsvc), ['x'], ['']],
  ])('is no modification when %s', (_, vs, managed, steps) => {
    const { object, modified } = removeManagedRoutes(vs, managed, steps);
    expect(modified).toBe(false);
    expect(object).toEqual(vs);
  });

  it('refuses a malformed spec.http', () => {
    const vs = yaml(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vsvc}\nspec:\n  http: broken',
    );
    expect(() => removeManagedRoutes(vs, ['a'], [])).toThrow(IstioError);
  });
});
