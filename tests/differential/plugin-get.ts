/**
 * `kubectl argo rollouts get rollout` as each side's user reads it: the real plugin's output, normalised only for
 * the namespace name and what depends on the clock (ages, a scale-down delay's time left), then compared line by
 * line. Everything else the plugin prints (status, message, step, weights, images, replica counts, the revision
 * tree with ReplicaSet names, their status and stable/canary tags) comes from what the controller wrote, so it is
 * compared as printed.
 */
import type { Difference } from './compare.js';

/** The kind of the differences found here, as the table in docs/argo-differences.md lists them. */
export const PLUGIN_GET = 'plugin get rollout';

/** An age as the plugin prints it (`duration.HumanDuration`: `5s`, `2m5s`, `3h`, `10d`, `2y`), a cell of its own. */
const AGE = /(?<=\s)\d+[smhdy](?:\d+[smh])?(?=\s|$)/g;
/** A ReplicaSet's scale-down delay left (`delay:2s`, `delay:passed`): a clock reading, not a status. */
const DELAY = /\bdelay:[^\s,]+/g;

/**
 * The output with the namespace replaced by `{ns}`, ages by `{age}`, scale-down delays by `delay:{left}`, and each
 * run of blanks made one space (the plugin aligns columns to the widest cell, which an age changes).
 */
export function normaliseGet(text: string, ns: string): string[] {
  return text
    .split(ns)
    .join('{ns}')
    .split('\n')
    .map((line) => line.replace(AGE, '{age}').replace(DELAY, 'delay:{left}').replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

/**
 * The field each line is keyed by in the table: the label of a `Label: value` line (`Status`, `Step`; a line
 * without a label, a second image, takes the label above it), or for a line of the tree its icon and the kind of
 * object it shows (`⧉ ReplicaSet`, `# revision`).
 */
export function lineFields(lines: string[]): string[] {
  let last = '';
  return lines.map((line) => {
    const tree = /([⟳#⧉□Σα⊞]) (\S+)(?: (Rollout|ReplicaSet|Pod|AnalysisRun|Experiment|Job)\b)?/u.exec(line);
    if (tree) return `${tree[1]} ${tree[3] ?? (tree[2] ?? '').replace(/:\d+$/, '')}`;
    const label = /^([A-Za-z ]+):/.exec(line)?.[1];
    if (label) last = label;
    return label ?? last;
  });
}

/**
 * The lines that differ between the two normalised outputs, paired by position: one difference per line, keyed by
 * the line's field (Argo's line, or sluice's when Argo printed fewer lines).
 */
export function diffGet(argo: string[], sluice: string[], where: string): Difference[] {
  const fa = lineFields(argo);
  const fs = lineFields(sluice);
  const out: Difference[] = [];
  for (let i = 0; i < Math.max(argo.length, sluice.length); i++) {
    const a = argo[i];
    const s = sluice[i];
    if (a === s) continue;
    out.push({ kind: PLUGIN_GET, field: fa[i] ?? fs[i] ?? '', argo: a, sluice: s, where });
  }
  return out;
}
