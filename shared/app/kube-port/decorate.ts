/**
 * One way to wrap a {@link KubeGateway}: `decorateGateway(inner, { around, overrides })`. Every wrapper (routing to
 * the Istio primary, re-authenticating on 401, drift bookkeeping, fault injection, recording) states only what it
 * changes; everything else is forwarded to `inner`. Adding a method to the port is one change here.
 */
import type { KubeObject } from '../../core/model/types.js';
import type { JsonPatchOp, ResourceName, Target } from '../../core/engine/types.js';
import type { DeleteOptions, KubeGateway, ListOptions, WriteOptions } from './gateway.js';

/** What every request names. `name` is absent for list; for create it is the body's name. */
interface RequestBase {
  resource: ResourceName;
  namespace: string | undefined;
  name?: string;
  subresource?: Target['subresource'];
}

/** One request (every gateway call but `watch`), described for a hook. `write` is true for create, patches, delete. */
export type GatewayRequest = RequestBase &
  (
    | { method: 'get'; write: false }
    | { method: 'list'; write: false; options?: ListOptions }
    | { method: 'create'; write: true; body: KubeObject; options?: WriteOptions }
    | { method: 'patch'; write: true; target: Target; body: JsonPatchOp[]; options?: WriteOptions }
    | { method: 'mergePatch'; write: true; target: Target; body: unknown; options?: WriteOptions }
    | { method: 'delete'; write: true; target: Target; options?: DeleteOptions }
    | { method: 'evict'; write: true; options?: WriteOptions }
  );

/** How a wrapper differs from the gateway it wraps. */
export interface GatewayDecoration {
  /**
   * Runs around every request that `overrides` does not replace. `send(gw)` makes the request, with the caller's
   * arguments, on `gw` (usually the inner gateway; a router passes another). Not called for `watch`.
   */
  around?: <T>(request: GatewayRequest, send: (gw: KubeGateway) => Promise<T>) => Promise<T>;
  /** Methods replaced outright (they call `inner` themselves when they forward). */
  overrides?: Partial<KubeGateway>;
}

function targetFields(t: Target): RequestBase {
  return {
    resource: t.resource,
    namespace: t.namespace,
    name: t.name,
    ...(t.subresource ? { subresource: t.subresource } : {}),
  };
}

const withOptions = <O>(options: O | undefined): { options?: O } =>
  options === undefined ? {} : { options };

/**
 * A gateway that forwards every call to `inner` except what `decoration` changes. Arguments are passed on exactly
 * as given (same count, same objects).
 *
 * @example
 * // Count writes, forward everything.
 * let writes = 0;
 * const gw = decorateGateway(inner, { around: (req, send) => (req.write && writes++, send(inner)) });
 */
export function decorateGateway(inner: KubeGateway, decoration: GatewayDecoration = {}): KubeGateway {
  const around =
    decoration.around ?? (<T>(_r: GatewayRequest, send: (gw: KubeGateway) => Promise<T>) => send(inner));
  const base: KubeGateway = {
    get: (...args) => {
      const [resource, namespace, name] = args;
      return around({ method: 'get', write: false, resource, namespace, name }, (gw) => gw.get(...args));
    },
    list: (...args) => {
      const [resource, namespace, options] = args;
      const request: GatewayRequest = {
        method: 'list',
        write: false,
        resource,
        namespace,
        ...withOptions(options),
      };
      return around(request, (gw) => gw.list(...args));
    },
    create: (...args) => {
      const [resource, namespace, body, options] = args;
      const name = body.metadata?.name;
      const request: GatewayRequest = {
        method: 'create',
        write: true,
        resource,
        namespace,
        ...(name === undefined ? {} : { name }),
        body,
        ...withOptions(options),
      };
      return around(request, (gw) => gw.create(...args));
    },
    patch: (...args) => {
      const [target, body, options] = args;
      const request: GatewayRequest = {
        method: 'patch',
        write: true,
        ...targetFields(target),
        target,
        body,
        ...withOptions(options),
      };
      return around(request, (gw) => gw.patch(...args));
    },
    mergePatch: (...args) => {
      const [target, body, options] = args;
      const request: GatewayRequest = {
        method: 'mergePatch',
        write: true,
        ...targetFields(target),
        target,
        body,
        ...withOptions(options),
      };
      return around(request, (gw) => gw.mergePatch(...args));
    },
    delete: (...args) => {
      const [target, options] = args;
      const request: GatewayRequest = {
        method: 'delete',
        write: true,
        ...targetFields(target),
        target,
        ...withOptions(options),
      };
      return around(request, (gw) => gw.delete(...args));
    },
    evict: (...args) => {
      const [namespace, name, options] = args;
      const request: GatewayRequest = {
        method: 'evict',
        write: true,
        resource: 'pods',
        namespace,
        name,
        ...withOptions(options),
      };
      return around(request, (gw) => gw.evict(...args));
    },
    watch: (...args) => inner.watch(...args),
  };
  for (const [method, fn] of Object.entries(decoration.overrides ?? {})) {
    if (fn !== undefined) Object.assign(base, { [method]: fn });
  }
  return base;
}
