/**
 * Keeps every Kubernetes request on the cluster's own server: the client-node `KubeConfig` that
 * `toKubeConfig` returns wraps the connection pool it hands to each request (API calls and watches) with a check
 * that the request goes to the server's origin (scheme, host and port). fetch follows redirects through the same
 * pool, so a redirect to another origin (https to plain http, another host or port) fails instead of carrying the
 * request, and the client certificate of the pool, elsewhere.
 */
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** A redirect (or any request) to another origin than the cluster's server. */
export class CrossOriginRequestError extends Error {
  override readonly name = 'CrossOriginRequestError';
  /** The failure's code, as a socket error's (`KubeApiError.reason`). */
  readonly code = 'ERR_CROSS_ORIGIN_REQUEST';
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;
type Dispatch = Dispatcher['dispatch'];
interface Handler {
  onResponseError?: (controller: unknown, err: Error) => void;
  onError?: (err: Error) => void;
}

/** An undici interceptor refusing requests whose origin is not `origin`. */
export function sameOriginOnly(origin: string): (dispatch: Dispatch) => Dispatch {
  return (dispatch) =>
    (opts, handler): boolean => {
      const target = opts.origin === undefined ? '' : new URL(String(opts.origin)).origin;
      if (target === origin) return dispatch(opts, handler);
      const err = new CrossOriginRequestError(
        `refused a request to ${target || 'an unknown origin'}${opts.path}: the Kubernetes API server is ${origin} (a redirect to another origin is not followed)`,
      );
      const h = handler as Handler;
      if (h.onResponseError) h.onResponseError(null, err);
      else h.onError?.(err);
      return true;
    };
}

/** A `KubeConfig` whose requests only ever go to its current cluster's server. */
export class OriginBoundKubeConfig extends KubeConfig {
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const server = this.getCurrentCluster()?.server;
    const dispatcher = context.getDispatcher();
    if (server === undefined || dispatcher === undefined)
      throw new CrossOriginRequestError(
        `cannot bind the Kubernetes client to its server ${server ?? '(none)'}: no connection pool to guard`,
      );
    context.setDispatcher(dispatcher.compose(sameOriginOnly(new URL(server).origin)));
  }
}
