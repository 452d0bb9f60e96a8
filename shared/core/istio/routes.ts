/**
 * Reading VirtualService route sections (`spec.http`, `spec.tls`, `spec.tcp`) into a checked view, and choosing the
 * routes a Rollout weights (Argo Rollouts `getHttpRouteIndexesToPatch`, `searchTlsRoute`, `searchTcpRoute`,
 * `ValidateHTTPRoutes`/`ValidateTlsRoutes`/`ValidateTcpRoutes`). Pure.
 */
import type { IstioVirtualServiceRef } from '../model/types.js';
import { IstioError, unparsableSectionMessage } from './errors.js';
import { isJsonObject } from '../model/json.js';
import { describe, type Loose } from './json.js';

/** A route section of a VirtualService. */
export type Section = 'http' | 'tls' | 'tcp';

/** Section → the word Argo uses in messages. */
export const SECTION_KIND = { http: 'HTTP', tls: 'TLS', tcp: 'TCP' } as const;

/** One `route[]` entry as read. */
export interface ParsedDestination {
  /** `destination.host` as written. */
  host: string;
  /** `destination.subset`, `''` when absent. */
  subset: string;
  /** `weight`, 0 when absent. */
  weight: number;
  /** `destination.port.number`, when present. */
  port?: number;
}

/** One route of a section as read. */
export interface ParsedRoute {
  /** `name`, `''` when absent. */
  name: string;
  /** True when the route carries `mirror` (HTTP). */
  mirror: boolean;
  destinations: ParsedDestination[];
  /** Distinct `match[].port` values (0 for a match block without port), TLS/TCP. */
  ports: number[];
  /** Distinct `match[].sniHosts[]` values, TLS. */
  sniHosts: string[];
}

/** Who the canary and stable destinations are. */
export interface DestinationNames {
  canaryService?: string;
  stableService?: string;
  canarySubset?: string;
  stableSubset?: string;
}

function malformed(section: Section, path: string, what: string, value: unknown): IstioError {
  const detail = `${path} must be ${what}, found ${describe(value)}`;
  return new IstioError(`${unparsableSectionMessage(SECTION_KIND[section])}: ${detail}`, 'Malformed');
}

function optionalInteger(section: Section, path: string, value: unknown, min: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw malformed(section, path, min === 0 ? 'a non-negative integer' : 'an integer', value);
  }
  return value;
}

function optionalString(section: Section, path: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw malformed(section, path, 'a string', value);
  return value;
}

function optionalList(section: Section, path: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(section, path, 'a list', value);
  return value;
}

function parseDestination(section: Section, path: string, entry: unknown): ParsedDestination {
  if (!isJsonObject(entry)) throw malformed(section, path, 'an object', entry);
  const destination = entry['destination'];
  if (!isJsonObject(destination)) throw malformed(section, `${path}.destination`, 'an object', destination);
  const host = destination['host'];
  if (typeof host !== 'string' || host === '') {
    throw malformed(section, `${path}.destination.host`, 'a non-empty string', host);
  }
  const subset = optionalString(section, `${path}.destination.subset`, destination['subset']);
  const weight = optionalInteger(section, `${path}.weight`, entry['weight'], 0) ?? 0;
  const portObject = destination['port'];
  let port: number | undefined;
  if (portObject !== undefined && portObject !== null) {
    if (!isJsonObject(portObject))
      throw malformed(section, `${path}.destination.port`, 'an object', portObject);
    port = optionalInteger(section, `${path}.destination.port.number`, portObject['number'], 0);
  }
  return port === undefined ? { host, subset, weight } : { host, subset, weight, port };
}

function parseMatches(section: Section, path: string, route: Loose): Pick<ParsedRoute, 'ports' | 'sniHosts'> {
  const ports = new Set<number>();
  const sniHosts = new Set<string>();
  if (section === 'http') return { ports: [], sniHosts: [] };
  optionalList(section, `${path}.match`, route['match']).forEach((match, m) => {
    const matchPath = `${path}.match[${m}]`;
    if (!isJsonObject(match)) throw malformed(section, matchPath, 'an object', match);
    ports.add(optionalInteger(section, `${matchPath}.port`, match['port'], 0) ?? 0);
    if (section !== 'tls') return;
    optionalList(section, `${matchPath}.sniHosts`, match['sniHosts']).forEach((sni, s) => {
      if (typeof sni !== 'string') throw malformed(section, `${matchPath}.sniHosts[${s}]`, 'a string', sni);
      sniHosts.add(sni);
    });
  });
  return { ports: [...ports], sniHosts: [...sniHosts] };
}

/**
 * The routes of one section, checked. Returns undefined when the section is absent (or null).
 * @throws IstioError (`Malformed`) naming the field at fault, e.g.
 *   `Unable to get HTTP routes for Istio VirtualService: spec.http[0].route[1].weight must be a non-negative integer, found string "50"`.
 */
export function parseSection(spec: unknown, section: Section): ParsedRoute[] | undefined {
  if (!isJsonObject(spec)) return undefined;
  const raw = spec[section];
  if (raw === undefined || raw === null) return undefined;
  return optionalList(section, `spec.${section}`, raw).map((route, r) => {
    const path = `spec.${section}[${r}]`;
    if (!isJsonObject(route)) throw malformed(section, path, 'an object', route);
    const destinations = optionalList(section, `${path}.route`, route['route']).map((entry, d) =>
      parseDestination(section, `${path}.route[${d}]`, entry),
    );
    return {
      name: optionalString(section, `${path}.name`, route['name']),
      mirror: route['mirror'] !== undefined && route['mirror'] !== null,
      destinations,
      ...parseMatches(section, path, route),
    };
  });
}

/**
 * Indexes of the HTTP routes a Rollout weights. With `names` empty: the only route when there is exactly one,
 * else the first unnamed route, else none. With names: the first route of each name.
 * @throws IstioError `HTTP Route '<name>' is not found in the defined Virtual Service.`
 */
export function selectHttpRoutes(routes: ParsedRoute[], names: string[]): number[] {
  if (names.length === 0) {
    if (routes.length === 1) return [0];
    const unnamed = routes.findIndex((route) => route.name === '');
    return unnamed < 0 ? [] : [unnamed];
  }
  return names.map((name) => {
    const index = routes.findIndex((route) => route.name === name);
    if (index < 0) {
      throw new IstioError(
        `HTTP Route '${name}' is not found in the defined Virtual Service.`,
        'RouteNotFound',
      );
    }
    return index;
  });
}

function sameSet(a: string[], b: string[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setA].every((item) => setB.has(item));
}

function portOf(route: ParsedRoute): number | undefined {
  if (route.ports.length > 1) return undefined; // several ports: never matches (as in Argo Rollouts)
  return route.ports[0] ?? 0;
}

/**
 * Indexes of the TLS/TCP routes a Rollout weights: index 0 when no match is listed; else every route whose match
 * blocks carry one port equal to `port` (and, for TLS, exactly the listed SNI hosts, in any order).
 * @throws IstioError `No matching TLS routes found in the defined Virtual Service.` (or TCP)
 */
export function selectPortRoutes(
  section: 'tls' | 'tcp',
  routes: ParsedRoute[],
  refs: { port?: number; sniHosts?: string[] }[],
): number[] {
  if (refs.length === 0) return routes.length > 0 ? [0] : [];
  const indexes: number[] = [];
  for (const ref of refs) {
    const found = routes.flatMap((route, i) => {
      const portMatches = portOf(route) === (ref.port ?? 0);
      const sniMatches = section === 'tcp' || sameSet(route.sniHosts, ref.sniHosts ?? []);
      return portMatches && sniMatches ? [i] : [];
    });
    if (found.length === 0) {
      const kind = SECTION_KIND[section];
      throw new IstioError(
        `No matching ${kind} routes found in the defined Virtual Service.`,
        'RouteNotFound',
      );
    }
    indexes.push(...found);
  }
  return indexes;
}

/** Text before the first dot of a destination host (`stable.ns.svc.cluster.local` → `stable`); `''` if it starts with a dot. */
export function shortHost(host: string): string {
  const dot = host.indexOf('.');
  return dot < 0 ? host : host.slice(0, dot);
}

/**
 * Argo's destination check for one selected route: subset mode (a canary/stable subset given) needs both subsets,
 * host mode needs both Services (FQDNs accepted). Returns Argo's message, or undefined when fine.
 */
export function missingDestination(route: ParsedRoute, names: DestinationNames): string | undefined {
  const hosts = route.destinations.map((d) => shortHost(d.host));
  const subsets = route.destinations.map((d) => d.subset);
  if (names.canarySubset || names.stableSubset) {
    if (!names.canarySubset || !subsets.includes(names.canarySubset)) {
      return `Canary DestinationRule subset '${names.canarySubset ?? ''}' not found in route`;
    }
    if (!names.stableSubset || !subsets.includes(names.stableSubset)) {
      return `Stable DestinationRule subset '${names.stableSubset ?? ''}' not found in route`;
    }
    return undefined;
  }
  if (!names.canaryService || !hosts.includes(names.canaryService)) {
    return `Canary Service '${names.canaryService ?? ''}' not found in route`;
  }
  if (!names.stableService || !hosts.includes(names.stableService)) {
    return `Stable Service '${names.stableService ?? ''}' not found in route`;
  }
  return undefined;
}

/** Argo's "routes omitted but several candidates" message for a section. */
export function ambiguousRoutesMessage(section: Section): string {
  const field = section === 'http' ? 'routes' : `${section}Routes`;
  return (
    `spec.${section}[] should be set in VirtualService and it must have exactly one route when omitting ` +
    `spec.strategy.canary.trafficRouting.istio.virtualService.${field}`
  );
}

/** The selected routes of one section and the parsed view, once every Argo check passed. */
export interface SectionSelection {
  routes: ParsedRoute[];
  /** Indexes chosen by the Rollout's route list (no mirror routes). */
  selected: number[];
}

/**
 * Parses one section and runs Argo's checks in Argo's order: route lookup, destinations of each selected route,
 * ambiguity when the route list is omitted (managed routes do not count for HTTP).
 * @throws IstioError with Argo's bare message (`HTTP Route 'x' is not found...`, `Canary Service 'c' not found in route`...)
 */
export function selectSection(
  spec: unknown,
  section: Section,
  ref: IstioVirtualServiceRef,
  opts: DestinationNames & { managedRoutes?: string[] },
): SectionSelection | undefined {
  const routes = parseSection(spec, section);
  if (routes === undefined) return undefined;
  const listed =
    section === 'http'
      ? (ref.routes ?? [])
      : section === 'tls'
        ? (ref.tlsRoutes ?? [])
        : (ref.tcpRoutes ?? []);
  const selected =
    section === 'http'
      ? selectHttpRoutes(routes, ref.routes ?? [])
      : selectPortRoutes(section, routes, listed as { port?: number }[]);
  for (const index of selected) {
    const message = missingDestination(routes[index] as ParsedRoute, opts);
    if (message) throw new IstioError(message, 'DestinationNotFound');
  }
  const managed = new Set(section === 'http' ? (opts.managedRoutes ?? []) : []);
  const candidates = routes.filter((route) => !(route.name !== '' && managed.has(route.name)));
  if (listed.length === 0 && candidates.length > 1) {
    throw new IstioError(ambiguousRoutesMessage(section), 'AmbiguousRoutes');
  }
  return { routes, selected };
}
