/**
 * A {@link KubeGateway} wrapper that lets a concurrent writer in between sluice's read and its write (catalogue row
 * C1 of docs/reliability.md): right before the first matching patch is sent, `foreignWrite` runs (an admin edit of the same object), so the
 * patch carries a resourceVersion that is no longer current. Every later call passes straight through.
 */
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../../shared/app/kube-port/decorate.js';
import type { Target } from '../../../shared/core/engine/types.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';

/** The wrapper and what happened to the patch that followed the foreign write. */
export interface ForeignWriter {
  gw: KubeGateway;
  /** Times the foreign write ran (0 or 1). */
  fired(): number;
  /** The outcome of the patch sent right after the foreign write: `ok`, or the error it got. */
  raced(): 'ok' | KubeApiError | undefined;
}

/**
 * Wraps `inner`: the first non-dry-run JSON Patch whose target matches `when` is preceded by `foreignWrite()`.
 */
export function foreignWriterGateway(
  inner: KubeGateway,
  when: (t: Target) => boolean,
  foreignWrite: () => Promise<void>,
): ForeignWriter {
  let fired = 0;
  let raced: 'ok' | KubeApiError | undefined;
  const patch: KubeGateway['patch'] = async (t, ops, o) => {
    if (fired > 0 || o?.dryRun || !when(t)) return inner.patch(t, ops, o);
    fired++;
    await foreignWrite();
    try {
      const out = await inner.patch(t, ops, o);
      raced = 'ok';
      return out;
    } catch (err) {
      if (err instanceof KubeApiError) raced = err;
      throw err;
    }
  };
  const gw = decorateGateway(inner, { overrides: { patch } });
  return { gw, fired: () => fired, raced: () => raced };
}
