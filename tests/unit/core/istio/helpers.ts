/** Fixture loading and readable views of VirtualService routes for the Istio unit tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import type { KubeObject } from '../../../../shared/core/model/types.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/istio/', import.meta.url));

/** Every document of a fixture file. */
export function loadAll(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(FIXTURES + file, 'utf8')).map((doc) => doc.toJS() as KubeObject);
}

/** The one object of a kind in a fixture file (deep-frozen, so an accidental mutation throws). */
export function load(file: string, kind = 'VirtualService'): KubeObject {
  const found = loadAll(file).find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${file}`);
  return deepFreeze(found);
}

/** An object from inline YAML (deep-frozen). */
export function yaml(text: string): KubeObject {
  return deepFreeze(parse(text) as KubeObject);
}

/** Freezes a JSON value recursively. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach((v) => deepFreeze(v));
    Object.freeze(value);
  }
  return value;
}

type AnyRoute = {
  name?: string;
  route?: { destination: { host: string; subset?: string }; weight?: number }[];
};

/** `host[/subset]=weight` of each destination of one route, e.g. `['stable=90', 'canary=10']`. */
export function weights(vs: KubeObject, section: 'http' | 'tls' | 'tcp', index: number): string[] {
  const routes = (vs.spec as Record<string, AnyRoute[]>)[section] ?? [];
  const route = routes[index];
  if (!route) throw new Error(`no ${section}[${index}]`);
  return (route.route ?? []).map((d) => {
    const subset = d.destination.subset ? `/${d.destination.subset}` : '';
    return `${d.destination.host}${subset}=${d.weight ?? 0}`;
  });
}

/** Names of the http routes in order (`''` for unnamed). */
export function httpNames(vs: KubeObject): string[] {
  return ((vs.spec as Record<string, AnyRoute[]>)['http'] ?? []).map((r) => r.name ?? '');
}

/** Host-mode options with Services `canary`/`stable`. */
export const HOSTS = { canaryService: 'canary', stableService: 'stable' } as const;
