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

/**
 * Control characters (C0 but tab and, when `keepNewlines`, newline; DEL; C1) and bidirectional overrides, which a
 * name or message could use to move the cursor, erase or forge lines of the output.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE_KEEP_NL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character escaped (`\x1b`, `\n`, `\u202e`), so untrusted text (route, rollout and
 * cluster names, messages, errors) prints as one inert line. `keepNewlines` leaves `\n` for the CLI's own
 * multi-line texts.
 *
 * @example printable('a\x1b[2Kb\nc') // 'a\\x1b[2Kb\\nc'
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? UNPRINTABLE_KEEP_NL : UNPRINTABLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** `2026-01-01T00:00:00.000Z  prod  <text>`, the source and text {@link printable}: one line whatever they hold. */
export function stamped(now: Date, source: string, text: string): string {
  return `${now.toISOString()}  ${printable(source)}  ${printable(text)}`;
}
