/**
 * Several templates into one run spec, as Argo merges them: references followed recursively (a template before the
 * templates it names), each template once (first reference kept; namespaced and cluster templates apart), metrics
 * of all namespaced templates then all cluster templates, args merged by name, dry-run and retention rules
 * concatenated after the Rollout's own. Pure module: no I/O imports.
 */
import type {
  AnalysisTemplate,
  Argument,
  DryRun,
  MeasurementRetention,
  Metric,
  TemplateRef,
} from './types.js';

/** Finds a template the caller has read; `undefined` when it does not exist. */
export type TemplateLookup = (name: string, clusterScope: boolean) => AnalysisTemplate | undefined;

/** The merged content of several templates. */
export interface MergedTemplates {
  metrics: Metric[];
  args: Argument[];
  dryRun: DryRun[];
  measurementRetention: MeasurementRetention[];
}

/** A merge failure; `nested` when the missing template was named by another template (`spec.templates`). */
export interface MergeError {
  error: string;
  nested: boolean;
}

function collect(
  refs: TemplateRef[],
  lookup: TemplateLookup,
): { ns: AnalysisTemplate[]; cluster: AnalysisTemplate[] } | MergeError {
  const ns: AnalysisTemplate[] = [];
  const cluster: AnalysisTemplate[] = [];
  const seen = new Set<string>();
  const visit = (list: TemplateRef[], nested: boolean): MergeError | undefined => {
    for (const ref of list) {
      const scope = ref.clusterScope === true;
      const key = `${scope ? 'cluster' : 'ns'}/${ref.templateName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const t = lookup(ref.templateName, scope);
      if (!t) {
        const kind = scope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
        return { error: `${kind} '${ref.templateName}' not found`, nested };
      }
      (scope ? cluster : ns).push(t);
      const inner = visit(t.spec.templates ?? [], true);
      if (inner) return inner;
    }
    return undefined;
  };
  const failed = visit(refs, false);
  return failed ?? { ns, cluster };
}

function mergeTemplateArgs(lists: Argument[][]): Argument[] | string {
  const out: Argument[] = [];
  for (const arg of lists.flat()) {
    const i = out.findIndex((a) => a.name === arg.name);
    const prev = out[i];
    if (prev === undefined) {
      out.push({ ...arg });
    } else if (prev.value !== undefined && arg.value !== undefined && prev.value !== arg.value) {
      return `Argument \`${arg.name}\` specified multiple times with different values: '${prev.value}', '${arg.value}'`;
    } else if (prev.value === undefined && prev.valueFrom === undefined) {
      out[i] = { ...arg };
    }
  }
  return out;
}

function rules<T extends { metricName: string }>(lists: T[][], label: string): T[] | string {
  const out: T[] = [];
  for (const rule of lists.flat()) {
    if (out.some((r) => r.metricName === rule.metricName)) {
      return `two ${label} metric rules have the same name '${rule.metricName}'`;
    }
    out.push(rule);
  }
  return out;
}

/**
 * Merges the templates named by `refs` (plus the Rollout's own dry-run and retention rules, which come first).
 *
 * @returns the merged spec, or Argo's error detail (`AnalysisTemplate 't' not found`, `two metrics have the same
 *   name 'm'`, an arg conflict, a duplicate rule).
 */
export function mergeTemplates(
  refs: TemplateRef[],
  lookup: TemplateLookup,
  rollout: { dryRun?: DryRun[]; measurementRetention?: MeasurementRetention[] } = {},
): MergedTemplates | MergeError {
  const found = collect(refs, lookup);
  if ('error' in found) return found;
  const all = [...found.ns, ...found.cluster];
  const metrics: Metric[] = [];
  for (const m of all.flatMap((t) => t.spec.metrics ?? [])) {
    if (metrics.some((x) => x.name === m.name))
      return { error: `two metrics have the same name '${m.name}'`, nested: false };
    metrics.push(m);
  }
  const args = mergeTemplateArgs(all.map((t) => t.spec.args ?? []));
  if (typeof args === 'string') return { error: args, nested: false };
  const dryRun = rules([rollout.dryRun ?? [], ...all.map((t) => t.spec.dryRun ?? [])], 'Dry-Run');
  if (typeof dryRun === 'string') return { error: dryRun, nested: false };
  const retention = rules(
    [rollout.measurementRetention ?? [], ...all.map((t) => t.spec.measurementRetention ?? [])],
    'Measurement Retention',
  );
  if (typeof retention === 'string') return { error: retention, nested: false };
  return { metrics, args, dryRun, measurementRetention: retention };
}
