import { describe, expect, it } from '@jest/globals';
import { IstioError } from '../../../../shared/core/istio/errors.js';
import type { DestinationNames } from '../../../../shared/core/istio/routes.js';
import { readWeights, setWeight, type WeightOptions } from '../../../../shared/core/istio/virtual-service.js';
import type { IstioVirtualServiceRef, KubeObject } from '../../../../shared/core/model/types.js';
import * as argo from './argo-vs.js';
import { HOSTS, httpNames, load, weights, yaml } from './helpers.js';

type Section = 'http' | 'tls' | 'tcp';
interface WeightCase {
  case: string;
  vs: KubeObject;
  ref: IstioVirtualServiceRef;
  opts: WeightOptions;
  expected: [Section, number, string[]][];
}

const SUBSETS = { canarySubset: 'canary', stableSubset: 'stable' } as const;
const untouched = ['stable=100', 'canary=0'];

const weightCases: WeightCase[] = [
  {
    case: 'TestHttpReconcileWeightsBaseCase: primary route gets canary 10 / stable 90, secondary untouched',
    vs: yaml(argo.regularVsvc()),
    ref: { name: 'vsvc', routes: ['primary'] },
    opts: { ...HOSTS, weight: 10 },
    expected: [
      ['http', 0, ['stable=90', 'canary=10']],
      ['http', 1, untouched],
    ],
  },
  {
    case: 'TestTlsReconcileWeightsBaseCase: the TLS route on port 3000 gets 30/70, port 3001 untouched',
    vs: yaml(argo.regularTlsVsvc),
    ref: { name: 'vsvc', tlsRoutes: [{ port: 3000 }] },
    opts: { ...HOSTS, weight: 30 },
    expected: [
      ['tls', 0, ['stable=70', 'canary=30']],
      ['tls', 1, untouched],
    ],
  },
  {
    case: 'TestTlsSniReconcileWeightsBaseCase: a TLS route matches the set of its SNI hosts in any order',
    vs: load('tls-sni.yaml'),
    ref: { name: 'vsvc', tlsRoutes: [{ sniHosts: ['localhost', 'bar.foo.com', 'foo.bar.com'] }] },
    opts: { ...HOSTS, weight: 30 },
    expected: [
      ['tls', 0, ['stable=70', 'canary=30']],
      ['tls', 1, untouched],
    ],
  },
  {
    case: 'TestTlsPortAndSniReconcileWeightsBaseCase: a TLS route matches on port and SNI together',
    vs: load('tls-sni.yaml'),
    ref: { name: 'vsvc', tlsRoutes: [{ port: 3001, sniHosts: ['localhost'] }] },
    opts: { ...HOSTS, weight: 30 },
    expected: [
      ['tls', 0, untouched],
      ['tls', 1, ['stable=70', 'canary=30']],
    ],
  },
  {
    case: 'TestTcpReconcileWeightsBaseCase: the TCP route on port 3000 gets 30/70, port 3001 untouched',
    vs: yaml(argo.regularTcpVsvc),
    ref: { name: 'vsvc', tcpRoutes: [{ port: 3000 }] },
    opts: { ...HOSTS, weight: 30 },
    expected: [
      ['tcp', 0, ['stable=70', 'canary=30']],
      ['tcp', 1, untouched],
    ],
  },
  {
    case: 'TestReconcileWeightsBaseCase: a mixed VS moves only the selected http, tls and tcp routes to 20/80',
    vs: yaml(argo.regularMixedVsvc),
    ref: { name: 'vsvc', routes: ['secondary'], tlsRoutes: [{ port: 3001 }], tcpRoutes: [{ port: 3000 }] },
    opts: { ...HOSTS, weight: 20 },
    expected: [
      ['http', 0, untouched],
      ['http', 1, ['stable=80', 'canary=20']],
      ['tls', 0, untouched],
      ['tls', 1, ['stable=80', 'canary=20']],
      ['tcp', 0, ['stable=80', 'canary=20']],
      ['tcp', 1, untouched],
    ],
  },
  {
    case: 'TestReconcileWeightsPingPongBaseCase: ping as stable keeps 80, pong as canary gets 20',
    vs: yaml(argo.pingPongVsvc),
    ref: { name: 'vsvc', routes: ['primary'] },
    opts: { canaryService: 'pong', stableService: 'ping', weight: 20 },
    expected: [['http', 0, ['ping=80', 'pong=20']]],
  },
  {
    case: 'TestHttpReconcileInferredSingleRoute: the only http route is weighted when routes are omitted',
    vs: yaml(argo.singleRouteVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 10 },
    expected: [['http', 0, ['stable=90', 'canary=10']]],
  },
  {
    case: 'TestTlsReconcileInferredSingleRoute: the only tls route is weighted when tlsRoutes are omitted',
    vs: yaml(argo.singleRouteTlsVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 10 },
    expected: [['tls', 0, ['stable=90', 'canary=10']]],
  },
  {
    case: 'TestTcpReconcileInferredSingleRoute: the only tcp route is weighted when tcpRoutes are omitted',
    vs: yaml(argo.singleRouteTcpVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 10 },
    expected: [['tcp', 0, ['stable=90', 'canary=10']]],
  },
  {
    case: 'TestReconcileInferredSingleRoute: a mixed VS with one route per section moves all three to 90/10',
    vs: yaml(argo.singleRouteMixedVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 10 },
    expected: [
      ['http', 0, ['stable=90', 'canary=10']],
      ['tls', 0, ['stable=90', 'canary=10']],
      ['tcp', 0, ['stable=90', 'canary=10']],
    ],
  },
  {
    case: 'TestHttpReconcileMultipleDestRule: an additionalSubsetNames destination keeps 20, stable 70, canary 10',
    vs: load('subset-additional.yaml'),
    ref: { name: 'vsvc' },
    opts: { ...SUBSETS, additionalSubsetNames: ['stable-subset'], weight: 10 },
    expected: [
      [
        'http',
        0,
        ['rollout-service/stable=70', 'rollout-service/canary=10', 'additional-service/stable-subset=20'],
      ],
    ],
  },
  {
    case: 'guide host split: http primary and the SNI-matched tls route go to 95/5',
    vs: load('guide-host-split.yaml'),
    ref: {
      name: 'rollout-vsvc',
      routes: ['primary'],
      tlsRoutes: [{ port: 3000, sniHosts: ['reviews.bookinfo.com', 'localhost'] }],
    },
    opts: { canaryService: 'canary-svc', stableService: 'stable-svc', weight: 5 },
    expected: [
      ['http', 0, ['stable-svc=95', 'canary-svc=5']],
      ['tls', 0, ['stable-svc=95', 'canary-svc=5']],
    ],
  },
  {
    case: 'guide subset split: subsets stable/canary of one host go to 95/5',
    vs: load('guide-subset-split.yaml'),
    ref: { name: 'rollout-vsvc', routes: ['primary'] },
    opts: { ...SUBSETS, weight: 5 },
    expected: [['http', 0, ['rollout-example/stable=95', 'rollout-example/canary=5']]],
  },
  {
    case: 'guide TCP split: the port-3000 tcp route goes to 95/5',
    vs: load('guide-tcp.yaml'),
    ref: { name: 'rollout-vsvc', tcpRoutes: [{ port: 3000 }] },
    opts: { canaryService: 'canary-svc', stableService: 'stable-svc', weight: 5 },
    expected: [['tcp', 0, ['stable-svc=95', 'canary-svc=5']]],
  },
  {
    case: 'TestValidateHosts: FQDN destination hosts are classified by the text before the first dot',
    vs: yaml(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vsvc, namespace: default}
spec:
  http:
  - route:
    - {destination: {host: stable.default.svc.cluster.local}, weight: 100}
    - {destination: {host: canary.default}, weight: 0}`),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 40 },
    expected: [['http', 0, ['stable.default.svc.cluster.local=60', 'canary.default=40']]],
  },
  {
    case: 'TestHostSplitExperimentStep: a foreign destination with weight is removed, one with weight 0 is kept',
    vs: yaml(`apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: vsvc, namespace: default}
spec:
  http:
  - route:
    - {destination: {host: stable}, weight: 70}
    - {destination: {host: canary}, weight: 10}
    - {destination: {host: exp-svc}, weight: 20}
    - {destination: {host: parked}, weight: 0}`),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 10 },
    expected: [['http', 0, ['stable=90', 'canary=10', 'parked=0']]],
  },
  {
    case: 'weight 100 sends everything to canary and leaves stable at 0',
    vs: yaml(argo.singleRouteVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 100 },
    expected: [['http', 0, ['stable=0', 'canary=100']]],
  },
  {
    case: 'a weight above 100 is clamped to 100, never a negative stable weight (#4424)',
    vs: yaml(argo.singleRouteVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 130 },
    expected: [['http', 0, ['stable=0', 'canary=100']]],
  },
  {
    case: 'a negative or fractional weight is clamped and rounded into 0..100',
    vs: yaml(argo.singleRouteVsvc),
    ref: { name: 'vsvc' },
    opts: { ...HOSTS, weight: 12.6 },
    expected: [['http', 0, ['stable=87', 'canary=13']]],
  },
  {
    case: 'additional subsets weighing more than 100 - W clamp stable at 0 rather than negative',
    vs: yaml(`apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: vsvc, namespace: default}
spec:
  http:
  - route:
    - {destination: {host: svc, subset: stable}, weight: 10}
    - {destination: {host: svc, subset: canary}, weight: 0}
    - {destination: {host: svc, subset: extra}, weight: 95}`),
    ref: { name: 'vsvc' },
    opts: { ...SUBSETS, additionalSubsetNames: ['extra'], weight: 20 },
    expected: [['http', 0, ['svc/stable=0', 'svc/canary=20', 'svc/extra=95']]],
  },
];

describe('setWeight', () => {
  it.each(weightCases)('$case', ({ vs, ref, opts, expected }) => {
    const { object, modified } = setWeight(vs, ref, opts);
    expect(modified).toBe(true);
    for (const [section, index, want] of expected) expect(weights(object, section, index)).toEqual(want);
  });

  it.each([
    ['TestReconcileNoChanges: http', yaml(argo.regularVsvc()), { name: 'vsvc', routes: ['primary'] }],
    [
      'TestTlsReconcileNoChanges: tls',
      yaml(argo.regularTlsVsvc),
      { name: 'vsvc', tlsRoutes: [{ port: 3000 }] },
    ],
    [
      'TestTcpReconcileNoChanges: tcp',
      yaml(argo.regularTcpVsvc),
      { name: 'vsvc', tcpRoutes: [{ port: 3001 }] },
    ],
  ])('%s: weight 0 on a 100/0 route is not a modification and returns an equal object', (_, vs, ref) => {
    const { object, modified } = setWeight(vs, ref, { ...HOSTS, weight: 0 });
    expect(modified).toBe(false);
    expect(object).toEqual(vs);
  });

  it('setting the same weight twice modifies only the first time', () => {
    const vs = yaml(argo.regularVsvc());
    const first = setWeight(vs, { name: 'vsvc', routes: ['primary'] }, { ...HOSTS, weight: 10 });
    const second = setWeight(first.object, { name: 'vsvc', routes: ['primary'] }, { ...HOSTS, weight: 10 });
    expect([first.modified, second.modified]).toEqual([true, false]);
  });

  it.each(['networking.istio.io/v1alpha3', 'networking.istio.io/v1beta1', 'networking.istio.io/v1'])(
    'a VirtualService authored as %s is edited the same and keeps its apiVersion',
    (apiVersion) => {
      const { object } = setWeight(
        yaml(argo.regularVsvc(apiVersion)),
        { name: 'vsvc', routes: ['primary'] },
        {
          ...HOSTS,
          weight: 25,
        },
      );
      expect(object.apiVersion).toBe(apiVersion);
      expect(weights(object, 'http', 0)).toEqual(['stable=75', 'canary=25']);
    },
  );

  it('never mutates its input and keeps every field it does not own (retries, corsPolicy, ports, headers, unknown)', () => {
    const vs = load('mixed.yaml'); // deep-frozen: any mutation throws
    const before = JSON.stringify(vs);
    const { object } = setWeight(
      vs,
      { name: 'vsvc', routes: ['primary'], tlsRoutes: [{ port: 3000 }], tcpRoutes: [{ port: 3000 }] },
      { ...HOSTS, weight: 10 },
    );
    expect(JSON.stringify(vs)).toBe(before);
    const expected = structuredClone(vs) as KubeObject & {
      spec: Record<string, { route: { weight: number }[] }[]>;
    };
    for (const section of ['http', 'tls', 'tcp']) {
      const route = expected.spec[section]?.[0]?.route ?? [];
      route[0]!.weight = 90;
      route[1]!.weight = 10;
    }
    expect(object).toEqual(expected);
  });

  it('TestHttpReconcileMirrorRouteOrder: managed mirror routes follow the weight and are ordered by managedRoutes', () => {
    const mirror = (name: string) => `  - name: ${name}
    match: [{method: {exact: GET}}]
    mirror: {host: canary}
    mirrorPercentage: {value: 100}
    route:
    - {destination: {host: stable}, weight: 100}
    - {destination: {host: canary}, weight: 0}
`;
    const vs = yaml(
      `${argo.regularVsvc()}${mirror('mirror-route-1')}${mirror('mirror-route-2')}${mirror('mirror-route-3')}`,
    );
    const { object } = setWeight(
      vs,
      { name: 'vsvc', routes: ['primary'] },
      {
        ...HOSTS,
        weight: 40,
        managedRoutes: ['mirror-route-2', 'mirror-route-3', 'mirror-route-1'],
      },
    );
    expect(httpNames(object)).toEqual([
      'mirror-route-2',
      'mirror-route-3',
      'mirror-route-1',
      'primary',
      'secondary',
    ]);
    expect([0, 1, 2, 3].map((i) => weights(object, 'http', i))).toEqual(
      Array(4).fill(['stable=60', 'canary=40']),
    );
    expect(weights(object, 'http', 4)).toEqual(untouched);
  });

  it('…OrderSingleRouteNoName, deliberately unlike Argo: the unnamed primary keeps receiving weights beside managed mirror routes', () => {
    const vs = yaml(`${argo.singleRouteVsvc}  - name: mirror-route
    match: [{method: {exact: GET}}]
    mirror: {host: canary}
    route:
    - {destination: {host: stable}, weight: 70}
    - {destination: {host: canary}, weight: 30}
`);
    const { object } = setWeight(
      vs,
      { name: 'vsvc' },
      { ...HOSTS, weight: 40, managedRoutes: ['mirror-route'] },
    );
    expect(httpNames(object)).toEqual(['mirror-route', '']);
    expect(weights(object, 'http', 0)).toEqual(['stable=60', 'canary=40']);
    expect(weights(object, 'http', 1)).toEqual(['stable=60', 'canary=40']);
  });

  it('never leaves a route with every weight 0 (#3141): a stable-only mirror route keeps stable 100 at weight 100', () => {
    const vs = yaml(`${argo.regularVsvc()}  - name: mirror
    match: [{method: {exact: GET}}]
    mirror: {host: canary}
    route:
    - {destination: {host: stable}, weight: 100}
    - {destination: {host: parked}, weight: 0}
`);
    const { object } = setWeight(
      vs,
      { name: 'vsvc', routes: ['primary'] },
      { ...HOSTS, weight: 100, managedRoutes: ['mirror'] },
    );
    expect(weights(object, 'http', 0)).toEqual(['stable=100', 'parked=0']);
    expect(weights(object, 'http', 1)).toEqual(['stable=0', 'canary=100']);
  });

  it('a managed mirror route with no stable destination that would total 0 is left as read', () => {
    const vs = yaml(`${argo.regularVsvc()}  - name: mirror
    match: [{method: {exact: GET}}]
    mirror: {host: canary}
    route:
    - {destination: {host: canary}, weight: 20}
    - {destination: {host: parked}, weight: 0}
`);
    const { object, modified } = setWeight(
      vs,
      { name: 'vsvc', routes: ['primary'] },
      { ...HOSTS, weight: 0, managedRoutes: ['mirror'] },
    );
    expect(modified).toBe(false);
    expect(weights(object, 'http', 2)).toEqual(['canary=20', 'parked=0']);
  });

  it.each<[string, KubeObject, IstioVirtualServiceRef, WeightOptions, string]>([
    [
      'a listed http route that does not exist',
      yaml(argo.regularVsvc()),
      { name: 'vsvc', routes: ['missing'] },
      { ...HOSTS, weight: 10 },
      "HTTP Route 'missing' is not found in the defined Virtual Service.",
    ],
    [
      'no TLS route on the listed port',
      yaml(argo.regularTlsVsvc),
      { name: 'vsvc', tlsRoutes: [{ port: 9999 }] },
      { ...HOSTS, weight: 10 },
      'No matching TLS routes found in the defined Virtual Service.',
    ],
    [
      'no TCP route on the listed port',
      yaml(argo.regularTcpVsvc),
      { name: 'vsvc', tcpRoutes: [{ port: 9999 }] },
      { ...HOSTS, weight: 10 },
      'No matching TCP routes found in the defined Virtual Service.',
    ],
    [
      'TestReconcileAmbiguousRoutes: two http routes with routes omitted',
      yaml(argo.regularMixedVsvcTwoHttpRoutes),
      { name: 'vsvc' },
      { ...HOSTS, weight: 10 },
      'spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes',
    ],
    [
      'TestHttpReconcileInvalidVsvc: a weight written as a string',
      yaml(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vsvc, namespace: default}
spec:
  http:
  - route:
    - {destination: {host: stable}, weight: "90"}
    - {destination: {host: canary}, weight: 10}`),
      { name: 'vsvc' },
      { ...HOSTS, weight: 10 },
      'Unable to get HTTP routes for Istio VirtualService: spec.http[0].route[0].weight must be a non-negative integer, found string "90"',
    ],
  ])('throws IstioError for %s', (_, vs, ref, opts, message) => {
    let thrown: unknown;
    try {
      setWeight(vs, ref, opts);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IstioError);
    expect((thrown as IstioError).message).toBe(message);
  });
});

describe('readWeights', () => {
  it.each<
    [
      string,
      KubeObject,
      IstioVirtualServiceRef,
      DestinationNames,
      { canary: number; stable: number } | undefined,
    ]
  >([
    [
      'the first selected http route',
      yaml(argo.regularMixedVsvc),
      { name: 'vsvc', routes: ['primary'], tlsRoutes: [{ port: 3000 }], tcpRoutes: [{ port: 3000 }] },
      HOSTS,
      { canary: 0, stable: 100 },
    ],
    [
      'a tcp-only VirtualService',
      load('guide-tcp.yaml'),
      { name: 'rollout-vsvc', tcpRoutes: [{ port: 3000 }] },
      { canaryService: 'canary-svc', stableService: 'stable-svc' },
      { canary: 0, stable: 100 },
    ],
    [
      'subset mode with an additional subset',
      load('subset-additional.yaml'),
      { name: 'vsvc' },
      SUBSETS,
      { canary: 0, stable: 100 },
    ],
    [
      'a missing listed route',
      yaml(argo.regularVsvc()),
      { name: 'vsvc', routes: ['nope'] },
      HOSTS,
      undefined,
    ],
    [
      'a route without the canary Service',
      yaml(argo.regularVsvc()),
      { name: 'vsvc', routes: ['primary'] },
      { canaryService: 'other', stableService: 'stable' },
      undefined,
    ],
  ])('reads %s', (_, vs, ref, opts, expected) => {
    expect(readWeights(vs, ref, opts)).toEqual(expected);
  });

  it('reads back what setWeight wrote', () => {
    const ref = { name: 'vsvc', routes: ['secondary'] };
    const { object } = setWeight(yaml(argo.regularVsvc()), ref, { ...HOSTS, weight: 35 });
    expect(readWeights(object, ref, HOSTS)).toEqual({ canary: 35, stable: 65 });
  });
});
