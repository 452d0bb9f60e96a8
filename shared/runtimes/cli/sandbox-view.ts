/**
 * The text `sluice run` prints: one line per engine decision, and a compact view of a Rollout (step, weights,
 * observed traffic, ReplicaSets, pause state). Pure formatting.
 */
import type { StepResult } from '../../app/step.js';
import type { RolloutView } from '../../app/status-view.js';

/** `+12.3s` since the start of the run. */
export function elapsed(startMs: number, nowMs: number): string {
  return `+${((nowMs - startMs) / 1000).toFixed(1)}s`.padStart(7);
}

/** One readable line for a pass that decided something; undefined for a pass with nothing to do. */
export function decisionLine(r: StepResult): string | undefined {
  if (r.writes === 0 && !r.transition) return undefined;
  const step =
    r.stepBefore === r.stepAfter || r.stepAfter === undefined
      ? ''
      : ` (step ${r.stepBefore ?? '-'} → ${r.stepAfter})`;
  const what = r.transition ?? 'update';
  const writes = `${r.writes} write${r.writes === 1 ? '' : 's'}`;
  return `${r.rollout}: ${what}${step}: ${r.reason} [${writes}]`;
}

function pauseText(view: RolloutView, pausedSince: string | undefined, steps: { text: string }[]): string {
  if (view.phase !== 'Paused') return '';
  const current = view.step ? steps[view.step.index]?.text : undefined;
  const indefinite = current === 'pause';
  return indefinite
    ? ' | PAUSED until promoted'
    : ` | paused (${current ?? 'pause'}${pausedSince ? `, since ${pausedSince}` : ''})`;
}

/** What the sandbox observed besides the Rollout: VirtualService weights and simulated traffic. */
export interface Observation {
  vs: { stable: number; canary: number };
  /** Requests in the tick, and the share (0..1) that reached pods of the Rollout's current pod-template hash. */
  traffic?: { total: number; newShare: number };
}

/**
 * The newest AnalysisRun of the current revision: `analysis reviews-8f7b-2-1 Running, last [0.99] Successful`
 * (the last measurement of its first metric that has one), or `''` without analysis.
 */
export function analysisText(view: RolloutView): string {
  const run = view.analysisRuns[0];
  if (!run) return '';
  const measured = run.metrics.find((m) => m.last !== undefined)?.last;
  const last = measured ? `, last ${measured.value ? `${measured.value} ` : ''}${measured.phase}` : '';
  return ` | analysis ${run.name} ${run.phase || 'New'}${last}`;
}

/**
 * The compact view, e.g. `step 2/6 pause: 5s | canary weight 20 (VS stable 80 / canary 20) |
 * traffic to 8f7b 21% of 200 | RS 8f7b canary 1/1, 6d4c stable 4/4 | Paused (pause: 5s)`, then the analysis run
 * when the revision has one (`| analysis reviews-8f7b-2-1 Successful, last [0.99] Successful`).
 */
export function compactView(view: RolloutView, seen?: Observation, pausedSince?: string): string {
  const step = view.step
    ? `step ${Math.min(view.step.index + 1, view.step.total)}/${view.step.total} ${view.steps[view.step.index]?.text ?? 'done'}`
    : 'no steps';
  const vs = seen ? ` (VS stable ${seen.vs.stable} / canary ${seen.vs.canary})` : '';
  const hash = view.currentPodHash ?? '?';
  const traffic = seen?.traffic
    ? ` | traffic to ${hash} ${Math.round(seen.traffic.newShare * 100)}% of ${seen.traffic.total}`
    : '';
  const sets = view.replicaSets
    .filter((rs) => rs.replicas > 0 || rs.tags.length > 0)
    .map(
      (rs) =>
        `${rs.hash ?? rs.name}${rs.tags.length ? ` ${rs.tags.join('+')}` : ''} ${rs.ready}/${rs.replicas}`,
    )
    .join(', ');
  const weight = `canary weight ${view.actualWeight}${vs}`;
  return `${step} | ${weight}${traffic} | RS ${sets || 'none'} | ${view.phase}${pauseText(view, pausedSince, view.steps)}${analysisText(view)}`;
}

/** The view without the traffic sample: equal keys mean nothing worth printing changed. */
export function viewKey(view: RolloutView): string {
  return compactView(view);
}

/** The banner printed first in sandbox mode. */
export function sandboxBanner(apiUrl: string): string[] {
  return [
    '════════════════════════════════════════════════════════════════════════════════',
    ' SIMULATION: sluice sandbox. Nothing here touches a real cluster.',
    ` In-memory Kubernetes API at ${apiUrl} with simulated pods and mesh traffic,`,
    ' seeded with examples/reviews (Argo Rollouts Istio guide, host-level split).',
    ' To drive a real cluster instead:  npm start -- --kubeconfig ~/.kube/config',
    '════════════════════════════════════════════════════════════════════════════════',
  ];
}

/** How to promote from an indefinite pause. */
export function promoteHint(ref: string, interactive: boolean, autoSeconds?: number): string[] {
  const lines = [`Rollout ${ref} is paused indefinitely: it waits for a promotion.`];
  lines.push(`  from another terminal:  npx sluice promote ${ref}   (or abort)`);
  if (interactive) lines.push('  here: press p to promote, a to abort, q to quit');
  if (autoSeconds !== undefined)
    lines.push(`  non-interactive run: promoting automatically in ${autoSeconds}s`);
  return lines;
}
