/**
 * URL parsing and discovery documents for the sandbox API server.
 */
import { SERVED, apiVersionOf, findServed, type ServedResource } from './resources.js';

/** A request path resolved to a resource. */
export interface ResourcePath {
  resource: ServedResource;
  version: string;
  /** Undefined for a cluster-wide list/watch. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
  /** `POST pods/<name>/eviction`. */
  eviction?: boolean;
}

/** A cluster-scoped object has no namespace in its path; a namespaced one needs it to be named. */
function scopeFits(
  resource: ServedResource,
  namespace: string | undefined,
  name: string | undefined,
): boolean {
  return resource.clusterScoped ? namespace === undefined : name === undefined || namespace !== undefined;
}

/** The subresource a path names: `status`, a pod's `eviction`, none (undefined), or one not served (false). */
function subresourceOf(
  group: string,
  plural: string | undefined,
  sub: string | undefined,
): 'status' | 'eviction' | undefined | false {
  if (sub === undefined || sub === 'status') return sub;
  return sub === 'eviction' && group === '' && plural === 'pods' ? 'eviction' : false;
}

/**
 * Resolves `/api/v1/namespaces/ns/services/x`, `/apis/g/v/namespaces/ns/plural/x/status`, `/apis/g/v/plural`
 * (and `/apis/g/v/plural/x` for a cluster-scoped type).
 * Undefined when the path names nothing served.
 */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(2);
  } else return undefined;
  const [version, ...tail] = rest;
  if (!version) return undefined;
  let namespace: string | undefined;
  let remainder = tail;
  if (tail[0] === 'namespaces' && tail.length >= 3) {
    namespace = tail[1];
    remainder = tail.slice(2);
  }
  const [plural, name, sub, ...extra] = remainder;
  const subresource = subresourceOf(group, plural, sub);
  if (!plural || extra.length > 0 || subresource === false) return undefined;
  const resource = findServed(group, version, plural);
  if (!resource || !scopeFits(resource, namespace, name)) return undefined;
  if (subresource === 'eviction') return { resource, version, namespace, name, eviction: true };
  return { resource, version, namespace, name, subresource };
}

function resourceList(group: string, version: string): Record<string, unknown> {
  const resources = SERVED.filter((r) => r.group === group && r.versions.includes(version)).flatMap((r) => {
    const main = {
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.clusterScoped !== true,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    };
    const status = {
      name: `${r.plural}/status`,
      singularName: '',
      namespaced: r.clusterScoped !== true,
      kind: r.kind,
      verbs: ['get', 'patch', 'update'],
    };
    return r.statusSubresource ? [main, status] : [main];
  });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** The discovery document for a path (`/api`, `/api/v1`, `/apis`, `/apis/g/v`, `/version`), or undefined. */
export function discovery(pathname: string): Record<string, unknown> | undefined {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/version')
    return { major: '1', minor: '36', gitVersion: 'v1.36.3-sluice-sandbox', platform: 'sandbox' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/api/v1') return resourceList('', 'v1');
  const groups = [...new Set(SERVED.filter((r) => r.group).map((r) => r.group))];
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((name) => {
        const versions = SERVED.find((r) => r.group === name)?.versions ?? [];
        const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions: list, preferredVersion: list[0] };
      }),
    };
  }
  const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (m && groups.includes(m[1] ?? '')) {
    const listed = SERVED.some((r) => r.group === m[1] && r.versions.includes(m[2] ?? ''));
    return listed ? resourceList(m[1] ?? '', m[2] ?? '') : undefined;
  }
  return undefined;
}

/** The object as served at `version`: apiVersion rewritten (all served versions hold the same fields). */
export function atVersion<T extends { apiVersion?: string; kind?: string }>(
  obj: T,
  res: ServedResource,
  version: string,
): T {
  return { ...obj, apiVersion: apiVersionOf(res, version), kind: res.kind };
}
