/** Helpers on top of the fixed {@link KubeApiError} contract (shared/app/kube-port/errors.ts). */
import { KubeApiError } from '../../app/kube-port/errors.js';

/**
 * A failed precondition: 409, a 422 from a failed JSON Patch `test`, or the 500 "testing value ... failed" that
 * old API servers return for the same thing (kubernetes/kubernetes#68202). Re-read and re-plan; never resend.
 * (`KubeApiError.isConflict` covers the first two only.)
 */
export function isPreconditionFailed(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  return err.isConflict || (err.code === 500 && /testing value/i.test(err.message));
}
