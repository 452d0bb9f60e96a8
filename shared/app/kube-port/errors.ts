/**
 * Errors from the Kubernetes API, mapped once in the I/O layer. Messages name the verb, resource, namespace and
 * object, e.g. `patch virtualservices.networking.istio.io shop/reviews failed: 403 Forbidden: ...`.
 */

/** What a failed Kubernetes call was doing. */
export interface KubeCall {
  verb: 'get' | 'list' | 'create' | 'patch' | 'update' | 'delete' | 'watch';
  /** Plural with group, e.g. `virtualservices.networking.istio.io`, or `services` for the core group. */
  resource: string;
  namespace?: string;
  name?: string;
}

/** A failed Kubernetes API call. `code` is the HTTP status, or 0 for a network error / timeout. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly call: KubeCall,
    readonly code: number,
    /** Status reason from the API (`Conflict`, `Forbidden`, `Invalid`, `Expired`, …) or the network error code. */
    readonly reason: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${describeCall(call)} failed: ${code || 'network'} ${reason}: ${detail}`, options);
  }

  /**
   * 409, or a failed JSON Patch `test`: re-read and re-plan. Current servers answer a failed `test` with a bare
   * `422 Invalid`; the gateway re-reads the object and words the error "JSON Patch test operation failed" when its
   * resourceVersion moved. Old servers answer 500 "testing value".
   */
  get isConflict(): boolean {
    return (
      this.code === 409 ||
      ((this.code === 422 || this.code === 500) && /test operation|testing value/i.test(this.message))
    );
  }

  /** 429, 5xx, network errors and timeouts: worth retrying with backoff. */
  get isRetryable(): boolean {
    return this.code === 0 || this.code === 429 || this.code >= 500;
  }
}

/** `patch virtualservices.networking.istio.io shop/reviews`. */
export function describeCall(call: KubeCall): string {
  const where = call.namespace ? `${call.namespace}/${call.name ?? '*'}` : (call.name ?? '*');
  return `${call.verb} ${call.resource} ${where}`;
}

/**
 * A cluster's configuration is unusable (an ambiguous primary-cluster Secret, a kubeconfig outside the allow-list):
 * a retry cannot fix it, the operator has to change the Secret or the configuration. Adapters throw subclasses of
 * it; the use cases test only this class.
 */
export class ClusterConfigError extends Error {
  override readonly name: string = 'ClusterConfigError';
}
