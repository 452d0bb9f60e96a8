/**
 * The analysis part of Argo's Rollout reference validation (`validation_references.go`): every template a Rollout's
 * background analysis and `analysis` steps name must exist, merge without conflict, and — for steps — end (a metric
 * without a count that runs forever would block the step). Errors are field errors for the InvalidSpec condition;
 * only the first is reported, as Argo does. Pure module: no I/O imports.
 */
import { invalid } from '../model/field-error.js';
import { resolveMetricArgs } from './args.js';
import { effectiveCount } from './schedule.js';
import { mergeTemplates, type TemplateLookup } from './templates.js';
import type { Argument, DryRun, MeasurementRetention, TemplateRef } from './types.js';

/** The value Argo gives value-less template args when checking step templates. */
export const ARG_PLACEHOLDER = 'dummy-value';

/** One group of templates a Rollout names: its background analysis or one `analysis` step. */
export interface AnalysisGroup {
  /** The field that names the templates (`spec.strategy.canary.steps[2].analysis.templates`). */
  path: string;
  background: boolean;
  templates: TemplateRef[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
}

type AnalysisBlock = {
  templates?: TemplateRef[];
  args?: Argument[];
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
};

/** The groups of a canary strategy, background analysis first, then each step in order. */
export function analysisGroups(
  canary: { analysis?: unknown; steps?: { analysis?: unknown }[] } | undefined,
): AnalysisGroup[] {
  const base = 'spec.strategy.canary';
  const group = (block: AnalysisBlock, path: string, background: boolean): AnalysisGroup => ({
    path,
    background,
    templates: block.templates ?? [],
    ...(block.args ? { args: block.args } : {}),
    ...(block.dryRun ? { dryRun: block.dryRun } : {}),
    ...(block.measurementRetention ? { measurementRetention: block.measurementRetention } : {}),
  });
  const groups: AnalysisGroup[] = [];
  if (canary?.analysis)
    groups.push(group(canary.analysis as AnalysisBlock, `${base}.analysis.templates`, true));
  (canary?.steps ?? []).forEach((step, i) => {
    if (step.analysis)
      groups.push(group(step.analysis as AnalysisBlock, `${base}.steps[${i}].analysis.templates`, false));
  });
  return groups;
}

function templateChecks(group: AnalysisGroup, lookup: TemplateLookup): string | undefined {
  for (const ref of group.templates) {
    const t = lookup(ref.templateName, ref.clusterScope === true);
    if (!t) continue;
    const name = ref.templateName;
    const args = t.spec.args ?? [];
    if (group.background) {
      for (const arg of args.filter((a) => a.value === undefined && a.valueFrom === undefined)) {
        if (!group.args) return invalid(group.path, name, 'missing analysis arguments in rollout spec');
        if (!group.args.some((a) => a.name === arg.name)) return invalid(group.path, name, arg.name);
      }
      continue;
    }
    const values = new Map(args.map((a) => [a.name, a.value ?? ARG_PLACEHOLDER]));
    for (const metric of t.spec.metrics ?? []) {
      const resolved = resolveMetricArgs(metric, values);
      if ('error' in resolved)
        return invalid(group.path, name, `AnalysisTemplate ${name}: ${resolved.error}`);
      if (effectiveCount(resolved.metric) === undefined) {
        const count = metric.count === undefined ? '<nil>' : String(metric.count);
        return invalid(
          group.path,
          name,
          `AnalysisTemplate ${name} has metric ${metric.name} which runs indefinitely. Invalid value for count: ${count}`,
        );
      }
    }
  }
  return undefined;
}

/**
 * The first analysis reference error of a Rollout, as a field error (`<path>: Invalid value: "<v>": <detail>`), or
 * `undefined`. The caller reads the templates (`lookup`) and wraps the error as `The Rollout "<r>" is invalid: …`.
 *
 * @example
 * ```ts
 * validateAnalysisReferences(analysisGroups(rollout.spec.strategy.canary), lookup)
 * // 'spec.strategy.canary.analysis.templates: Invalid value: "missing": ClusterAnalysisTemplate \'missing\' not found'
 * ```
 */
export function validateAnalysisReferences(
  groups: AnalysisGroup[],
  lookup: TemplateLookup,
): string | undefined {
  for (const group of groups) {
    const merged = mergeTemplates(group.templates, lookup, group);
    if ('error' in merged) {
      if (merged.error.endsWith(' not found')) {
        const name = /'(.*)' not found$/.exec(merged.error)?.[1] ?? '';
        return invalid(merged.nested ? 'spec.templates' : group.path, name, merged.error);
      }
      const names = group.templates.map((t) => t.templateName).join(' ');
      return invalid(group.path, `templateNames: [${names}]`, merged.error);
    }
    const problem = templateChecks(group, lookup);
    if (problem) return problem;
  }
  return undefined;
}
