import { describe, expect, it } from '@jest/globals';
import {
  validateDestinationRule,
  validateVirtualServiceReference,
} from '../../../../shared/core/istio/validate.js';
import type { IstioVirtualServiceRef, KubeObject } from '../../../../shared/core/model/types.js';
import * as argo from './argo-vs.js';
import { HOSTS, load, yaml } from './helpers.js';

const PATH = 'spec.strategy.canary.trafficRouting.istio.virtualService';
const base = { refPath: PATH, rolloutNamespace: 'default' };
const field = (vs: string, detail: string): string => `${PATH}.name: Invalid value: "${vs}": ${detail}`;
const malformedVs = (body: string): KubeObject =>
  yaml(`apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: vsvc, namespace: default}
spec:
${body}`);

type Opts = Parameters<typeof validateVirtualServiceReference>[2];
const cases: [string, KubeObject | undefined, IstioVirtualServiceRef, Partial<Opts>, string | undefined][] = [
  [
    'a valid host-split VirtualService',
    load('guide-host-split.yaml'),
    {
      name: 'rollout-vsvc',
      routes: ['primary'],
      tlsRoutes: [{ port: 3000, sniHosts: ['localhost', 'reviews.bookinfo.com'] }],
    },
    { canaryService: 'canary-svc', stableService: 'stable-svc' },
    undefined,
  ],
  [
    'a valid subset-split VirtualService',
    load('guide-subset-split.yaml'),
    { name: 'rollout-vsvc', routes: ['primary'] },
    { canarySubset: 'canary', stableSubset: 'stable' },
    undefined,
  ],
  [
    'TestReconcileVirtualServiceNotFound',
    undefined,
    { name: 'vsvc' },
    HOSTS,
    field('vsvc', 'virtualservices.networking.istio.io "vsvc" not found'),
  ],
  [
    'not found, named with its namespace',
    undefined,
    { name: 'vsvc.istio-system' },
    HOSTS,
    field('vsvc', 'virtualservices.networking.istio.io "vsvc" not found'),
  ],
  [
    'no http, tls or tcp',
    malformedVs('  hosts: [a]'),
    { name: 'vsvc' },
    HOSTS,
    field('vsvc', 'Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService'),
  ],
  [
    'TestReconcileInvalidValidation: a listed http route is missing',
    yaml(argo.regularVsvc()),
    { name: 'vsvc', routes: ['route-not-found'] },
    HOSTS,
    field(
      'vsvc',
      "Istio VirtualService has invalid HTTP routes. Error: HTTP Route 'route-not-found' is not found in the defined Virtual Service.",
    ),
  ],
  [
    'TestTlsReconcileInvalidValidation',
    yaml(argo.regularTlsVsvc),
    { name: 'vsvc', tlsRoutes: [{ port: 1 }] },
    HOSTS,
    field(
      'vsvc',
      'Istio VirtualService has invalid TLS routes. Error: No matching TLS routes found in the defined Virtual Service.',
    ),
  ],
  [
    'TestTcpReconcileInvalidValidation',
    yaml(argo.regularTcpVsvc),
    { name: 'vsvc', tcpRoutes: [{ port: 1 }] },
    HOSTS,
    field(
      'vsvc',
      'Istio VirtualService has invalid TCP routes. Error: No matching TCP routes found in the defined Virtual Service.',
    ),
  ],
  [
    'TestReconcileAmbiguousRoutes: two http routes, routes omitted',
    yaml(argo.regularMixedVsvcTwoHttpRoutes),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Istio VirtualService has invalid HTTP routes. Error: spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes',
    ),
  ],
  [
    'TestTlsReconcileAmbiguousRoutes',
    yaml(argo.regularMixedVsvcTwoTlsRoutes),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Istio VirtualService has invalid TLS routes. Error: spec.tls[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes',
    ),
  ],
  [
    'TestTcpReconcileAmbiguousRoutes',
    yaml(argo.regularMixedVsvcTwoTcpRoutes),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Istio VirtualService has invalid TCP routes. Error: spec.tcp[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.tcpRoutes',
    ),
  ],
  [
    'managed routes do not make http routes ambiguous',
    yaml(argo.regularVsvc()),
    { name: 'vsvc' },
    { ...HOSTS, managedRoutes: ['secondary'] },
    undefined,
  ],
  [
    'TestValidateHTTPRoutes: canary Service missing from the route',
    yaml(argo.regularVsvc()),
    { name: 'vsvc', routes: ['primary'] },
    { canaryService: 'other', stableService: 'stable' },
    field(
      'vsvc',
      "Istio VirtualService has invalid HTTP routes. Error: Canary Service 'other' not found in route",
    ),
  ],
  [
    'stable Service missing from the route',
    yaml(argo.regularVsvc()),
    { name: 'vsvc', routes: ['primary'] },
    { canaryService: 'canary', stableService: 'other' },
    field(
      'vsvc',
      "Istio VirtualService has invalid HTTP routes. Error: Stable Service 'other' not found in route",
    ),
  ],
  [
    'TestValidateHTTPRoutesSubsets: canary subset missing',
    load('guide-subset-split.yaml'),
    { name: 'rollout-vsvc', routes: ['primary'] },
    { canarySubset: 'canary-x', stableSubset: 'stable' },
    `${PATH}.name: Invalid value: "rollout-vsvc": Istio VirtualService has invalid HTTP routes. Error: Canary DestinationRule subset 'canary-x' not found in route`,
  ],
  [
    'stable subset missing',
    load('guide-subset-split.yaml'),
    { name: 'rollout-vsvc', routes: ['primary'] },
    { canarySubset: 'canary', stableSubset: 'stable-x' },
    `${PATH}.name: Invalid value: "rollout-vsvc": Istio VirtualService has invalid HTTP routes. Error: Stable DestinationRule subset 'stable-x' not found in route`,
  ],
  [
    'TestValidateTLSRoutes: canary missing in the matched TLS route',
    malformedVs('  tls:\n  - match: [{port: 3000}]\n    route: [{destination: {host: stable}, weight: 100}]'),
    { name: 'vsvc', tlsRoutes: [{ port: 3000 }] },
    HOSTS,
    field(
      'vsvc',
      "Istio VirtualService has invalid TLS routes. Error: Canary Service 'canary' not found in route",
    ),
  ],
  [
    'TestValidateTCPRoutes: stable missing in the TCP route',
    malformedVs('  tcp:\n  - route: [{destination: {host: canary}, weight: 100}]'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      "Istio VirtualService has invalid TCP routes. Error: Stable Service 'stable' not found in route",
    ),
  ],
  [
    'TestTlsReconcileInvalidVsvc: a tls entry that is a string',
    malformedVs('  tls:\n  - invalid'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get TLS routes for Istio VirtualService: spec.tls[0] must be an object, found string "invalid"',
    ),
  ],
  [
    'TestTcpReconcileInvalidVsvc: a tcp entry that is a string',
    malformedVs('  tcp:\n  - invalid'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get TCP routes for Istio VirtualService: spec.tcp[0] must be an object, found string "invalid"',
    ),
  ],
  [
    'a weight written as a string',
    malformedVs('  http:\n  - route:\n    - {destination: {host: stable}, weight: "100"}'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get HTTP routes for Istio VirtualService: spec.http[0].route[0].weight must be a non-negative integer, found string "100"',
    ),
  ],
  [
    'route that is not a list',
    malformedVs('  http:\n  - route: {destination: {host: stable}}'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get HTTP routes for Istio VirtualService: spec.http[0].route must be a list, found an object',
    ),
  ],
  [
    'a destination without host',
    malformedVs('  http:\n  - route:\n    - {destination: {subset: stable}, weight: 100}'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get HTTP routes for Istio VirtualService: spec.http[0].route[0].destination.host must be a non-empty string, found nothing',
    ),
  ],
  [
    'http that is not a list',
    malformedVs('  http: {route: []}'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get HTTP routes for Istio VirtualService: spec.http must be a list, found an object',
    ),
  ],
  [
    'a negative weight',
    malformedVs('  http:\n  - route:\n    - {destination: {host: stable}, weight: -5}'),
    { name: 'vsvc' },
    HOSTS,
    field(
      'vsvc',
      'Unable to get HTTP routes for Istio VirtualService: spec.http[0].route[0].weight must be a non-negative integer, found number -5',
    ),
  ],
];

describe('validateVirtualServiceReference', () => {
  it.each(cases)('%s', (_, vs, ref, opts, expected) => {
    expect(validateVirtualServiceReference(vs, ref, { ...base, ...opts })).toBe(expected);
  });

  it('uses the virtualServices path for the list form', () => {
    const refPath = 'spec.strategy.canary.trafficRouting.istio.virtualServices';
    expect(validateVirtualServiceReference(undefined, { name: 'b' }, { ...base, refPath })).toBe(
      `${refPath}.name: Invalid value: "b": virtualservices.networking.istio.io "b" not found`,
    );
  });
});

describe('validateDestinationRule', () => {
  it.each([
    [
      'TestUpdateHashDestinationRuleNotFound: missing',
      undefined,
      'destinationrules.networking.istio.io "istio-destrule" not found',
    ],
    ['well formed', load('dr-extra-fields.yaml', 'DestinationRule'), undefined],
    [
      'subsets not a list',
      yaml(
        'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: istio-destrule}\nspec: {subsets: 3}',
      ),
      'DestinationRule istio-destrule is malformed: spec.subsets must be a list, found number 3',
    ],
  ])('%s', (_, dr, expected) => {
    const ref = { name: 'istio-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' };
    expect(validateDestinationRule(dr, ref, 'default')).toBe(expected);
  });
});
