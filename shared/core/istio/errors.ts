/**
 * Errors raised by the pure Istio edits. Messages that Argo Rollouts also produces keep its exact text, so
 * Events and CLI output read the same; messages sluice adds name the object and the field at fault.
 */

/** Why an Istio edit refused to produce an object. */
export type IstioErrorReason =
  /** A referenced route (HTTP name, TLS/TCP match) does not exist in the VirtualService. */
  | 'RouteNotFound'
  /** Routes were omitted in the Rollout but the VirtualService has several candidates. */
  | 'AmbiguousRoutes'
  /** The selected route has no canary/stable destination. */
  | 'DestinationNotFound'
  /** The object does not have the shape Istio defines (wrong types, missing host...). */
  | 'Malformed'
  /** The edit cannot be expressed (e.g. a header route with no canary host). */
  | 'Unsupported';

/** A refused Istio edit. Nothing was changed: the caller must write nothing. */
export class IstioError extends Error {
  readonly reason: IstioErrorReason;

  constructor(message: string, reason: IstioErrorReason, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IstioError';
    this.reason = reason;
  }
}

/** Argo's message when a section exists but cannot be decoded (`Unable to get HTTP routes for Istio VirtualService`). */
export function unparsableSectionMessage(kind: 'HTTP' | 'TLS' | 'TCP'): string {
  return `Unable to get ${kind} routes for Istio VirtualService`;
}
