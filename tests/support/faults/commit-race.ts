/**
 * A {@link KubeGateway} wrapper that makes a pass's status commit lose its race after one of the pass's effect
 * writes landed: once a patch matching `landed` has been accepted, the next status commit of the Rollout is preceded
 * by `bump()` (another client changes the Rollout), so the commit's resourceVersion `test` fails and the pass
 * re-reads and re-plans from a state where that write is already in place. It fires once; every later call passes
 * straight through.
 */
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../../shared/app/kube-port/decorate.js';
import type { Target } from '../../../shared/core/engine/types.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';

/** The wrapper and what happened to the commit that followed the bump. */
export interface CommitRace {
  gw: KubeGateway;
  /** Times the bump ran (0 or 1). */
  fired(): number;
  /** The outcome of the status commit sent right after the bump: `ok`, or the error it got. */
  raced(): 'ok' | KubeApiError | undefined;
}

/** Wraps `inner`: after the first accepted patch whose target matches `landed`, the next status commit loses. */
export function commitRaceGateway(
  inner: KubeGateway,
  landed: (t: Target) => boolean,
  bump: () => Promise<void>,
): CommitRace {
  let armed = false;
  let fired = 0;
  let raced: 'ok' | KubeApiError | undefined;
  const patch: KubeGateway['patch'] = async (t, ops, o) => {
    if (o?.dryRun) return inner.patch(t, ops, o);
    const isCommit = t.resource === 'rollouts' && t.subresource === 'status';
    if (!isCommit || !armed || fired > 0) {
      const out = await inner.patch(t, ops, o);
      if (fired === 0 && landed(t)) armed = true;
      return out;
    }
    fired++;
    await bump();
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
