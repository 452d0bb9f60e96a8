/**
 * The readable lines `sluice run` prints: one per decision, saying what was done and why. Pure formatting.
 */
import type { HttpResponse } from '../../app/http-api/response.js';
import type { StepResult } from '../../app/step.js';

/** Prints one line for a cluster (or `http`, `watch`). */
export type Say = (source: string, text: string) => void;

/**
 * `shop/reviews: step-completed (step 0 → 1): <engine reason> [3 writes] ← due: spec changed (generation 2,
 * observed 1)`; undefined for a pass that wrote nothing.
 */
export function decisionText(r: StepResult, reasons: string[]): string | undefined {
  if (r.writes === 0 && !r.transition) return undefined;
  const step =
    r.stepBefore === r.stepAfter || r.stepAfter === undefined
      ? ''
      : ` (step ${r.stepBefore ?? '-'} → ${r.stepAfter})`;
  const weights = r.weights ? ` weights stable ${r.weights.stable} / canary ${r.weights.canary}` : '';
  const writes = `${r.writes} write${r.writes === 1 ? '' : 's'}`;
  const why = reasons.length > 0 ? ` ← ${reasons.join('; ')}` : '';
  return `${r.rollout}: ${r.transition ?? 'update'}${step}: ${r.reason}${weights} [${writes}]${why}`;
}

/** `shop/reviews: DriftCorrected VirtualService shop/reviews: <before> -> <after>`, one per foreign change the pass put back. */
export function driftLines(r: StepResult): string[] {
  return (r.driftCorrected ?? []).map(
    (c) =>
      `${r.rollout}: DriftCorrected ${c.object.kind} ${c.object.namespace}/${c.object.name}: ${c.before} -> ${c.after}`,
  );
}

/** `POST /v1/.../promote → 200: promote by local: step 1/4 Paused -> step 2/4 Paused`. */
export function httpText(method: string, path: string, res: HttpResponse, rejection = ''): string {
  let text = '';
  try {
    text = String((JSON.parse(res.body) as { message?: unknown }).message ?? '');
  } catch {
    text = '';
  }
  if (method === 'GET' && res.statusCode === 200) text = 'read';
  const why = rejection && res.statusCode === 401 ? ` (${rejection})` : '';
  return `${method} ${path} → ${res.statusCode}${text ? `: ${text}` : ''}${why}`;
}

/** `2026-01-01T00:00:00.000Z  prod  <text>`. */
export function stamped(now: Date, source: string, text: string): string {
  return `${now.toISOString()}  ${source}  ${text}`;
}
