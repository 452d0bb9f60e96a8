/**
 * The AnalysisRun a Rollout creates for an `analysis` step or its background analysis, as Argo creates it
 * (`newAnalysisRunFromRollout`): the templates merged into one spec (metrics keep their `{{args.x}}` tags), the
 * Rollout's args turned into plain values and merged into the templates' args, Argo's name, labels, annotations and
 * controller ownerReference. Pure module: no I/O imports.
 */
import { rolloutOwnerReference } from '../model/types.js';
import { mergeArgs } from './args.js';
import { buildRolloutArgs } from './rollout-args.js';
import type { AnalysisGroup } from './references.js';
import { mergeTemplates, type TemplateLookup } from './templates.js';
import type { AnalysisRun, AnalysisRunSpec } from './types.js';

/** Argo's label and annotation keys on a Rollout's AnalysisRuns. */
export const RUN_LABELS = {
  podTemplateHash: 'rollouts-pod-template-hash',
  type: 'rollout-type',
  stepIndex: 'step-index',
  instanceId: 'argo-rollouts.argoproj.io/controller-instance-id',
  revision: 'rollout.argoproj.io/revision',
} as const;

/** `rollout-type` values. */
export type RunType = 'Step' | 'Background';

/** The Rollout as the run builder reads it. */
export interface RunOwner {
  apiVersion?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    labels?: Record<string, string>;
  };
  spec: { selector?: { matchLabels?: Record<string, string> } };
}

/** What a run is built from. */
export interface RunRequest {
  rollout: RunOwner;
  /** The group (background analysis or one step) with its templates, args and rules. */
  group: AnalysisGroup & { analysisRunMetadata?: { labels?: object; annotations?: object } };
  lookup: TemplateLookup;
  /** The new ReplicaSet's pod-template hash and revision annotation. */
  podHash: string;
  stableHash: string;
  revision: string;
  /** Index of the `analysis` step; undefined for background analysis. */
  stepIndex?: number;
}

/**
 * Argo's base name of a run: `<rollout>-<podHash>-<revision>-<stepIndex>` for a step,
 * `<rollout>-<podHash>-<revision>` for background analysis.
 */
export function runBaseName(rollout: string, podHash: string, revision: string, stepIndex?: number): string {
  const base = `${rollout}-${podHash}-${revision}`;
  return stepIndex === undefined ? base : `${base}-${stepIndex}`;
}

/** The `n`-th name of Argo's collision counter: the base, then `<base>.1`, `<base>.2`, ... */
export function collisionName(base: string, n: number): string {
  return n === 0 ? base : `${base}.${n}`;
}

function strings(v: object | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v ?? {})) if (typeof x === 'string') out[k] = x;
  return out;
}

/** The run's spec (merged templates and args), or why it cannot be built. */
export function runSpec(req: RunRequest): { spec: AnalysisRunSpec } | { error: string } {
  const merged = mergeTemplates(req.group.templates, req.lookup, req.group);
  if ('error' in merged) return { error: merged.error };
  const built = buildRolloutArgs(req.group.args ?? [], {
    rollout: req.rollout as unknown as Record<string, unknown>,
    stableHash: req.stableHash,
    latestHash: req.podHash,
  });
  if ('error' in built) return { error: built.error };
  const args = mergeArgs(built.args, merged.args);
  if ('error' in args) return { error: args.error };
  const spec: AnalysisRunSpec = { metrics: merged.metrics, args: args.args };
  if (merged.dryRun.length > 0) spec.dryRun = merged.dryRun;
  if (merged.measurementRetention.length > 0) spec.measurementRetention = merged.measurementRetention;
  return { spec };
}

/**
 * The AnalysisRun to create under `name` (see {@link runBaseName} and {@link collisionName}), or why the templates
 * and args cannot make one (a template merge error, `args.<n> was not resolved`, a `fieldRef` error).
 */
export function buildRolloutRun(req: RunRequest, name: string): { run: AnalysisRun } | { error: string } {
  const built = runSpec(req);
  if ('error' in built) return built;
  const r = req.rollout;
  const meta = req.group.analysisRunMetadata;
  const instanceId = r.metadata.labels?.[RUN_LABELS.instanceId];
  const labels: Record<string, string> = {
    [RUN_LABELS.podTemplateHash]: req.podHash,
    [RUN_LABELS.type]: req.stepIndex === undefined ? 'Background' : 'Step',
    ...(req.stepIndex === undefined ? {} : { [RUN_LABELS.stepIndex]: String(req.stepIndex) }),
    ...(instanceId ? { [RUN_LABELS.instanceId]: instanceId } : {}),
    ...strings(meta?.labels),
    ...(r.spec.selector?.matchLabels ?? {}),
  };
  const run: AnalysisRun = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: r.metadata.namespace,
      labels,
      annotations: { [RUN_LABELS.revision]: req.revision, ...strings(meta?.annotations) },
      ownerReferences: [rolloutOwnerReference(r)],
    },
    spec: built.spec,
  };
  return { run };
}

/** The JSON Argo compares to adopt an existing run instead of creating a new one (`{metrics, dryRun, retention, args}`). */
export function runSpecKey(spec: AnalysisRunSpec): string {
  return JSON.stringify([spec.metrics, spec.dryRun ?? [], spec.measurementRetention ?? [], spec.args ?? []]);
}
