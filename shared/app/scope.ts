/**
 * Where sluice looks in a cluster: everywhere (a cluster-wide install, the default) or only in the namespaces the
 * cluster's configuration names (a namespace-scoped install, deploy/rbac/namespace-scoped.yaml), so that every
 * list and watch stays inside the namespaces the RBAC Roles cover.
 */
import type { KubeGateway, ListOptions } from './kube-port/gateway.js';
import type { KubeObject } from '../core/model/types.js';
import type { ResourceName } from '../core/engine/types.js';

/** The namespaces sluice drives in one cluster; `undefined` means all of them (lists and watches cluster-wide). */
export type NamespaceScope = readonly string[] | undefined;

/**
 * The namespaces to list or watch in, one call each: `[undefined]` (one cluster-wide call) when the scope is
 * all namespaces, else the scope's namespaces.
 */
export function scopeNamespaces(scope: NamespaceScope): (string | undefined)[] {
  return scope === undefined ? [undefined] : [...scope];
}

/**
 * Lists `resource` in every namespace of `scope` (one cluster-wide list when unscoped) and concatenates the items.
 *
 * @example
 * const rollouts = await listInScope(gw, 'rollouts', ['shop', 'cart'], { labelSelector: 'a=b' });
 */
export async function listInScope(
  gateway: KubeGateway,
  resource: ResourceName,
  scope: NamespaceScope,
  options?: ListOptions,
): Promise<KubeObject[]> {
  const lists = await Promise.all(scopeNamespaces(scope).map((ns) => gateway.list(resource, ns, options)));
  return lists.flatMap((l) => l.items);
}

/** True when `namespace` is inside `scope`. */
export function inScope(scope: NamespaceScope, namespace: string): boolean {
  return scope === undefined || scope.includes(namespace);
}
