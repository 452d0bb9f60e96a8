/** Reading and selecting VirtualService routes with Argo's checks and messages. */
import { describe, expect, it } from '@jest/globals';
import { IstioError } from '../../../../shared/core/istio/errors.js';
import {
  ambiguousRoutesMessage,
  missingDestination,
  parseSection,
  selectHttpRoutes,
  selectPortRoutes,
  shortHost,
  type ParsedRoute,
} from '../../../../shared/core/istio/routes.js';

const route = (
  name: string,
  hosts: [string, string?][] = [],
  ports: number[] = [],
  sniHosts: string[] = [],
): ParsedRoute => ({
  name,
  mirror: false,
  destinations: hosts.map(([host, subset]) => ({ host, subset: subset ?? '', weight: 0 })),
  ports,
  sniHosts,
});

describe('parseSection', () => {
  it('reads names, destinations, weights, ports and TLS matches', () => {
    const spec = {
      tls: [
        {
          match: [{ port: 443, sniHosts: ['a.example', 'b.example'] }],
          route: [
            { destination: { host: 'stable', port: { number: 443 } }, weight: 90 },
            { destination: { host: 'canary', subset: 'c' } },
          ],
        },
      ],
    };
    expect(parseSection(spec, 'tls')).toEqual([
      {
        name: '',
        mirror: false,
        destinations: [
          { host: 'stable', subset: '', weight: 90, port: 443 },
          { host: 'canary', subset: 'c', weight: 0 },
        ],
        ports: [443],
        sniHosts: ['a.example', 'b.example'],
      },
    ]);
  });

  it.each<{ case: string; spec: unknown }>([
    { case: 'spec not an object', spec: 'x' },
    { case: 'section absent', spec: {} },
    { case: 'section null', spec: { http: null } },
  ])('$case → undefined', ({ spec }) => {
    expect(parseSection(spec, 'http')).toBeUndefined();
  });

  it.each<{ case: string; spec: unknown; field: string }>([
    { case: 'section not a list', spec: { http: {} }, field: 'spec.http' },
    { case: 'route not an object', spec: { http: [1] }, field: 'spec.http[0]' },
    { case: 'name not a string', spec: { http: [{ name: 3, route: [] }] }, field: 'spec.http[0].name' },
    {
      case: 'destination missing',
      spec: { http: [{ route: [{ weight: 1 }] }] },
      field: 'spec.http[0].route[0].destination',
    },
    {
      case: 'empty host',
      spec: { http: [{ route: [{ destination: { host: '' } }] }] },
      field: 'spec.http[0].route[0].destination.host',
    },
    {
      case: 'weight as a string',
      spec: { http: [{ route: [{ destination: { host: 'a' }, weight: '50' }] }] },
      field: 'spec.http[0].route[0].weight',
    },
    {
      case: 'port not an object',
      spec: { tcp: [{ route: [{ destination: { host: 'a', port: 5 } }] }] },
      field: 'spec.tcp[0].route[0].destination.port',
    },
  ])('malformed: $case names $field', ({ spec, field }) => {
    const section = Object.keys(spec as object)[0] as 'http' | 'tcp';
    let caught: unknown;
    try {
      parseSection(spec, section);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IstioError);
    expect((caught as IstioError).reason).toBe('Malformed');
    expect((caught as IstioError).message).toContain(`${field} must be`);
  });
});

describe('selectHttpRoutes', () => {
  const routes = [route('primary'), route(''), route('secondary')];
  it.each<{ case: string; routes: ParsedRoute[]; names: string[]; want: number[] }>([
    { case: 'only route', routes: [route('primary')], names: [], want: [0] },
    { case: 'first unnamed route', routes, names: [], want: [1] },
    { case: 'no unnamed route among several', routes: [route('a'), route('b')], names: [], want: [] },
    { case: 'by names, in their order', routes, names: ['secondary', 'primary'], want: [2, 0] },
  ])('$case', ({ routes: rs, names, want }) => {
    expect(selectHttpRoutes(rs, names)).toEqual(want);
  });

  it('an unknown name is RouteNotFound', () => {
    expect(() => selectHttpRoutes(routes, ['nope'])).toThrow(
      new IstioError("HTTP Route 'nope' is not found in the defined Virtual Service.", 'RouteNotFound'),
    );
  });
});

describe('selectPortRoutes', () => {
  const tcp = [route('', [], [5432]), route('', [], [6379]), route('', [], [5432, 5433])];
  const tls = [route('', [], [443], ['a', 'b']), route('', [], [443], ['c'])];
  it.each<{
    case: string;
    section: 'tls' | 'tcp';
    routes: ParsedRoute[];
    refs: { port?: number; sniHosts?: string[] }[];
    want: number[];
  }>([
    { case: 'no refs: the first route', section: 'tcp', routes: tcp, refs: [], want: [0] },
    { case: 'no refs, no routes', section: 'tcp', routes: [], refs: [], want: [] },
    { case: 'by port', section: 'tcp', routes: tcp, refs: [{ port: 6379 }], want: [1] },
    {
      case: 'a route on several ports never matches',
      section: 'tcp',
      routes: tcp,
      refs: [{ port: 5432 }],
      want: [0],
    },
    {
      case: 'TLS by port and SNI set in any order',
      section: 'tls',
      routes: tls,
      refs: [{ port: 443, sniHosts: ['b', 'a'] }],
      want: [0],
    },
  ])('$case', ({ section, routes: rs, refs, want }) => {
    expect(selectPortRoutes(section, rs, refs)).toEqual(want);
  });

  it.each([
    {
      section: 'tcp' as const,
      refs: [{ port: 1 }],
      message: 'No matching TCP routes found in the defined Virtual Service.',
    },
    {
      section: 'tls' as const,
      refs: [{ port: 443, sniHosts: ['a'] }],
      message: 'No matching TLS routes found in the defined Virtual Service.',
    },
  ])('$section without a match is RouteNotFound', ({ section, refs, message }) => {
    expect(() => selectPortRoutes(section, section === 'tcp' ? tcp : tls, refs)).toThrow(message);
  });
});

describe('shortHost', () => {
  it.each([
    { host: 'stable', want: 'stable' },
    { host: 'stable.ns.svc.cluster.local', want: 'stable' },
    { host: '.odd', want: '' },
  ])('$host → "$want"', ({ host, want }) => {
    expect(shortHost(host)).toBe(want);
  });
});

describe('missingDestination', () => {
  const hostRoute = route('', [['stable.ns.svc.cluster.local'], ['canary']]);
  const subsetRoute = route('', [
    ['svc', 'stable'],
    ['svc', 'canary'],
  ]);
  it.each<{
    case: string;
    r: ParsedRoute;
    names: Parameters<typeof missingDestination>[1];
    want: string | undefined;
  }>([
    {
      case: 'both Services (FQDN accepted)',
      r: hostRoute,
      names: { canaryService: 'canary', stableService: 'stable' },
      want: undefined,
    },
    {
      case: 'canary Service missing',
      r: hostRoute,
      names: { canaryService: 'other', stableService: 'stable' },
      want: "Canary Service 'other' not found in route",
    },
    {
      case: 'stable Service missing',
      r: hostRoute,
      names: { canaryService: 'canary', stableService: 'other' },
      want: "Stable Service 'other' not found in route",
    },
    { case: 'no Services named', r: hostRoute, names: {}, want: "Canary Service '' not found in route" },
    {
      case: 'both subsets',
      r: subsetRoute,
      names: { canarySubset: 'canary', stableSubset: 'stable' },
      want: undefined,
    },
    {
      case: 'canary subset missing',
      r: subsetRoute,
      names: { canarySubset: 'x', stableSubset: 'stable' },
      want: "Canary DestinationRule subset 'x' not found in route",
    },
    {
      case: 'stable subset not named',
      r: subsetRoute,
      names: { canarySubset: 'canary' },
      want: "Stable DestinationRule subset '' not found in route",
    },
  ])('$case', ({ r, names, want }) => {
    expect(missingDestination(r, names)).toBe(want);
  });
});

describe('ambiguousRoutesMessage', () => {
  it.each([
    { section: 'http' as const, field: 'routes' },
    { section: 'tls' as const, field: 'tlsRoutes' },
    { section: 'tcp' as const, field: 'tcpRoutes' },
  ])('$section', ({ section, field }) => {
    expect(ambiguousRoutesMessage(section)).toBe(
      `spec.${section}[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.${field}`,
    );
  });
});
