/**
 * A Rollout's analysis args as Argo turns them into plain values for a run (`BuildArgumentsForRolloutAnalysisRun`):
 * `podTemplateHashValue` (`Latest` = the new ReplicaSet's hash, `Stable` = the stable one's, anything else empty),
 * `fieldRef` on `metadata…` (the downward-API subset), any other `fieldRef` path walked through the Rollout's JSON.
 * Pure module: no I/O imports.
 */
import { goFloatV } from './go-format.js';
import type { Argument } from './types.js';

/** What the args are read from. */
export interface RolloutArgSource {
  /** The Rollout as plain JSON. */
  rollout: Record<string, unknown>;
  stableHash: string;
  latestHash: string;
}

function downward(path: string, meta: Record<string, unknown>): { value: string } | { error: string } {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) {
    const map = (meta[m[1] ?? ''] ?? {}) as Record<string, unknown>;
    return { value: str(map[m[2] ?? '']) };
  }
  if (path === 'metadata.name' || path === 'metadata.namespace' || path === 'metadata.uid') {
    return { value: str(meta[path.slice('metadata.'.length)]) };
  }
  return { error: `unsupported fieldPath: ${path}` };
}

/**
 * Walks the Rollout's JSON along `path` split on `.`, `[` and `]` (Argo's `extractValueFromRollout`).
 *
 * @returns the primitive at the end in Go's `%v` form, or Argo's error.
 */
export function extractValueFromRollout(
  rollout: unknown,
  path: string,
): { value: string } | { error: string } {
  let cur: unknown = rollout;
  for (const seg of path.split(/[.[\]]+/).filter((s) => s !== '')) {
    if (Array.isArray(cur)) {
      if (!/^-?\d+$/.test(seg)) return { error: `invalid index '${seg}'` };
      const i = Number(seg);
      if (i < 0 || i >= cur.length) return { error: `index ${i} out of range` };
      cur = cur[i];
    } else if (typeof cur === 'object' && cur !== null && Object.prototype.hasOwnProperty.call(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return { error: `invalid path ${path} in rollout` };
    }
  }
  if (typeof cur === 'string') return { value: cur };
  if (typeof cur === 'number') return { value: goFloatV(cur) };
  if (typeof cur === 'boolean') return { value: String(cur) };
  return { error: `path ${path} in rollout must terminate in a primitive value` };
}

/**
 * The Rollout's args with every `valueFrom` replaced by a plain value. A `metadata…` error stops at once; another
 * path's error is reported only if no later `fieldRef` arg succeeds (Argo keeps only the last fieldRef outcome), and
 * the arg it failed on is left empty.
 *
 * @returns the args, or the error that blocks run creation.
 */
export function buildRolloutArgs(
  args: Argument[],
  src: RolloutArgSource,
): { args: Argument[] } | { error: string } {
  const out: Argument[] = [];
  let lastError: string | undefined;
  const meta = (src.rollout['metadata'] ?? {}) as Record<string, unknown>;
  for (const arg of args) {
    const from = arg.valueFrom;
    if (!from) {
      out.push({ name: arg.name, ...(arg.value !== undefined ? { value: arg.value } : {}) });
      continue;
    }
    let value = '';
    if (from.podTemplateHashValue !== undefined) {
      value =
        from.podTemplateHashValue === 'Latest'
          ? src.latestHash
          : from.podTemplateHashValue === 'Stable'
            ? src.stableHash
            : '';
    } else if (from.fieldRef) {
      const path = from.fieldRef.fieldPath;
      const got = path.startsWith('metadata')
        ? downward(path, meta)
        : extractValueFromRollout(src.rollout, path);
      if ('error' in got && path.startsWith('metadata')) return { error: got.error };
      lastError = 'error' in got ? got.error : undefined;
      value = 'value' in got ? got.value : '';
    }
    out.push({ name: arg.name, value });
  }
  return lastError !== undefined ? { error: lastError } : { args: out };
}
