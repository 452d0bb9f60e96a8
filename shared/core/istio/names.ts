/** Locating the VirtualServices a Rollout references (Argo Rollouts `utils/istio`). Pure. */
import type { ObjectKey } from '../model/resources.js';
import type { IstioTrafficRouting, IstioVirtualServiceRef } from '../model/types.js';

/**
 * Namespace and name of a referenced VirtualService. A trailing `.cluster.local` is dropped; when the rest has
 * two or more dot-separated parts, the last one is the namespace and the others (re-joined) the name; otherwise
 * the VirtualService lives in the Rollout's namespace. A VirtualService whose own name contains a dot must
 * therefore always be written with its namespace (`a.b.istio` → `istio/a.b`; Argo Rollouts #4709).
 *
 * @example
 * parseVirtualServiceName('vs', 'apps');                      // { namespace: 'apps', name: 'vs' }
 * parseVirtualServiceName('vs.istio', 'apps');                // { namespace: 'istio', name: 'vs' }
 * parseVirtualServiceName('test.ns.cluster.local', 'apps');   // { namespace: 'ns', name: 'test' }
 */
export function parseVirtualServiceName(name: string, rolloutNamespace: string): ObjectKey {
  const trimmed = name.endsWith('.cluster.local') ? name.slice(0, -'.cluster.local'.length) : name;
  const parts = trimmed.split('.');
  if (parts.length < 2) return { namespace: rolloutNamespace, name: trimmed };
  const namespace = parts.pop() as string;
  return { namespace, name: parts.join('.') };
}

/**
 * The VirtualService references of a Rollout, in order: `virtualServices` when set, else `[virtualService]`,
 * else none. (Setting both, or neither, is an InvalidSpec reported by Rollout validation.)
 */
export function virtualServiceRefs(istio: IstioTrafficRouting): IstioVirtualServiceRef[] {
  if (istio.virtualServices && istio.virtualServices.length > 0) return istio.virtualServices;
  return istio.virtualService ? [istio.virtualService] : [];
}
