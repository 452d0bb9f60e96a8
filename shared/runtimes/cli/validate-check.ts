/**
 * The checks of `sluice validate`, on manifests read from files: each Rollout with the Services, VirtualServices
 * and DestinationRule found among the same manifests, through the engine's own validators in the engine's order
 * (spec, Services, VirtualServices, DestinationRule), so a manifest gets the message the engine would write to the
 * InvalidSpec condition. A referenced object that is not among the manifests is a warning (it may already be in
 * the cluster), or an error with `strict`. Pure: no I/O.
 */
import { virtualServiceRefs, parseVirtualServiceName } from '../../core/istio/names.js';
import {
  validateDestinationRule,
  validateVirtualServiceForm,
  validateVirtualServiceReference,
  virtualServiceCheckOptions,
} from '../../core/istio/validate.js';
import { parseRollout } from '../../core/model/parse.js';
import { validateRolloutSpec } from '../../core/model/validate.js';
import { resolveWorkload, workloadRefOf } from '../../core/model/workload-ref.js';
import { referencedServices, validateServiceReferences } from '../../core/model/validate-references.js';
import { goQuote, invalid } from '../../core/model/field-error.js';
import type { KubeObject, Rollout, Service } from '../../core/model/types.js';
import { analysisGroups, validateAnalysisReferences } from '../../core/analysis/references.js';
import type { AnalysisTemplate, Metric } from '../../core/analysis/types.js';
import { parseAnalysisTemplate } from '../../core/analysis/parse.js';
import { SPEC_INVALID, sluiceProvider, validateMetrics } from '../../core/analysis/validate.js';

/** One manifest document and where it came from. */
export interface Manifest {
  file: string;
  /** 1-based line of the document's start. */
  line: number;
  object: Record<string, unknown>;
}

/** One finding about one Rollout. */
export interface Finding {
  level: 'error' | 'warning';
  file: string;
  line: number;
  /** `Rollout default/reviews`. */
  subject: string;
  message: string;
}

const MISSING_NOTE =
  'not in the given files (it may already be in the cluster; --strict makes this an error)';

type Kind =
  | 'Service'
  | 'VirtualService'
  | 'DestinationRule'
  | 'AnalysisTemplate'
  | 'ClusterAnalysisTemplate'
  | 'Deployment';

/** Objects of one kind by `namespace/name`, with the namespace defaulted. */
function index(manifests: Manifest[], kind: Kind, defaultNs: string): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const m of manifests) {
    if (m.object.kind !== kind) continue;
    const meta = (m.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    if (typeof meta.name !== 'string') continue;
    const ns =
      kind === 'ClusterAnalysisTemplate'
        ? ''
        : typeof meta.namespace === 'string' && meta.namespace
          ? meta.namespace
          : defaultNs;
    out.set(`${ns}/${meta.name}`, m.object as unknown as KubeObject);
  }
  return out;
}

/** A Service that passes every selector and ownership check: stands in for one that is not in the files. */
const PERMISSIVE_SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: '' }, spec: {} } as Service;

interface Objects {
  services: Map<string, KubeObject>;
  virtualServices: Map<string, KubeObject>;
  destinationRules: Map<string, KubeObject>;
  templates: Map<string, KubeObject>;
  /** ClusterAnalysisTemplates by `/name` (cluster-scoped: indexed with an empty default namespace). */
  clusterTemplates: Map<string, KubeObject>;
  /** Deployments a `workloadRef` may name. */
  deployments: Map<string, KubeObject>;
}

/**
 * A workloadRef Rollout as the engine runs it: resolved from the Deployment in the files (its namespace defaulted),
 * so the later checks see its template. A Deployment not in the files is reported as missing and the Rollout is
 * checked without a template (its Services then pass the selector check, as a missing Service does); any other
 * resolve error, or that one with `strict`, ends the Rollout's checks (undefined).
 */
function resolveFromFiles(
  r: Rollout,
  objects: Objects,
  report: (missing: boolean, message: string) => void,
  strict: boolean | undefined,
): Rollout | undefined {
  const ref = workloadRefOf(r);
  if (!ref) return r;
  const ns = r.metadata.namespace;
  const found = objects.deployments.get(`${ns}/${ref.name ?? ''}`);
  const deployment = found && { ...found, metadata: { ...found.metadata, namespace: ns } };
  const res = resolveWorkload(r, deployment);
  if ('rollout' in res) {
    const specError = validateRolloutSpec(res.rollout, { workloadResolved: true });
    if (specError) report(false, specError);
    return specError ? undefined : res.rollout;
  }
  report(!found, invalid('spec.workloadRef.name', ref.name ?? '', res.error));
  return found || strict ? undefined : r;
}

/**
 * The analysis references, as the engine checks them (Argo's messages): a template named by the Rollout but not in
 * the files is reported as missing (a warning unless --strict); templates that are there must merge and, for
 * steps, end.
 */
function analysisFindings(r: Rollout, objects: Objects, report: Report): void {
  const groups = analysisGroups(r.spec.strategy?.canary);
  if (groups.length === 0) return;
  const ns = r.metadata.namespace;
  const lookup = (name: string, cluster: boolean): AnalysisTemplate | undefined =>
    (cluster
      ? objects.clusterTemplates.get(`/${name}`)
      : objects.templates.get(`${ns}/${name}`)) as unknown as AnalysisTemplate | undefined;
  const err = validateAnalysisReferences(groups, lookup);
  if (err) report(err.endsWith(' not found'), err);
}

/** A metric whose checked fields still hold `{{args...}}` placeholders: its values are known only in a run. */
const templated = (m: Metric): boolean =>
  JSON.stringify([
    m.count,
    m.failureLimit,
    m.inconclusiveLimit,
    m.consecutiveErrorLimit,
    m.consecutiveSuccessLimit,
    m.interval,
    m.initialDelay,
  ]).includes('{{');

/**
 * One AnalysisTemplate or ClusterAnalysisTemplate: its metrics as every run checks them (Argo's `ValidateMetrics`
 * message, as the run would report it: `Analysis spec invalid: ...`; metrics whose limits or times are still
 * `{{args...}}` placeholders are left to the run), then a provider sluice measures with.
 */
function templateFinding(object: Record<string, unknown>): string | undefined {
  let t: AnalysisTemplate;
  try {
    t = parseAnalysisTemplate(object);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const metrics = t.spec.metrics ?? [];
  const invalidSpec = validateMetrics(metrics, { valuesKnown: (m) => !templated(m) });
  if (invalidSpec) return `${SPEC_INVALID}${invalidSpec}`;
  for (const m of metrics) {
    const p = sluiceProvider(m);
    if (typeof p !== 'string') return p.error;
  }
  return undefined;
}

/** The findings about the AnalysisTemplates and ClusterAnalysisTemplates among the manifests. */
function templateFindings(manifests: Manifest[], defaultNs: string): Finding[] {
  const findings: Finding[] = [];
  for (const m of manifests) {
    const kind = m.object.kind;
    if (kind !== 'AnalysisTemplate' && kind !== 'ClusterAnalysisTemplate') continue;
    const meta = (m.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const where = kind === 'ClusterAnalysisTemplate' ? '' : `${String(meta.namespace || defaultNs)}/`;
    const message = templateFinding(m.object);
    if (message)
      findings.push({
        level: 'error',
        file: m.file,
        line: m.line,
        subject: `${kind} ${where}${String(meta.name ?? '?')}`,
        message,
      });
  }
  return findings;
}

/** Service checks: missing ones are reported with the engine's text; the rest are checked as the engine does. */
type Report = (missing: boolean, message: string) => void;

function serviceFindings(r: Rollout, objects: Objects, report: Report): void {
  const ns = r.metadata.namespace;
  const services: Record<string, Service | undefined> = {};
  // A workloadRef whose Deployment is not in the files leaves the pod labels unknown.
  const unknownTemplate = workloadRefOf(r) !== undefined && r.spec.template === undefined;
  for (const ref of referencedServices(r)) {
    const found = objects.services.get(`${ns}/${ref.name}`) as Service | undefined;
    if (!found) report(true, invalid(ref.path, ref.name, `services ${goQuote(ref.name)} not found`));
    services[ref.name] = found && !unknownTemplate ? found : PERMISSIVE_SERVICE;
  }
  const err = validateServiceReferences(r, services);
  if (err) report(false, err);
}

/** Argo's "both or neither" check of `virtualService`/`virtualServices`, as the engine makes it. */
function istioFormFinding(r: Rollout, _objects: Objects, report: Report): void {
  const istio = r.spec.strategy?.canary?.trafficRouting?.istio;
  const err = istio && validateVirtualServiceForm(istio);
  if (err) report(false, err);
}

function virtualServiceFindings(r: Rollout, objects: Objects, report: Report): void {
  const istio = r.spec.strategy?.canary?.trafficRouting?.istio;
  if (!istio) return;
  const opts = virtualServiceCheckOptions(r);
  for (const ref of virtualServiceRefs(istio)) {
    const key = parseVirtualServiceName(ref.name, r.metadata.namespace);
    const vs = objects.virtualServices.get(`${key.namespace}/${key.name}`);
    const err = validateVirtualServiceReference(vs, ref, opts);
    if (err) report(vs === undefined, err);
    if (err && vs !== undefined) return;
  }
}

function destinationRuleFindings(r: Rollout, objects: Objects, report: Report): void {
  const ref = r.spec.strategy?.canary?.trafficRouting?.istio?.destinationRule;
  if (!ref) return;
  const found = objects.destinationRules.get(`${r.metadata.namespace}/${ref.name}`);
  const err = validateDestinationRule(found, ref, r.metadata.namespace);
  if (err)
    report(found === undefined, `spec.strategy.canary.trafficRouting.istio.destinationRule.name: ${err}`);
}

/**
 * Checks every Rollout among `manifests`. Errors stop at the first one per Rollout (as the engine reports only
 * the first); warnings for missing objects are all reported.
 *
 * @example
 * checkManifests([{ file: 'r.yaml', line: 1, object: rollout }], { strict: false, defaultNamespace: 'default' })
 * // [{ level: 'warning', subject: 'Rollout default/reviews', message: 'spec.strategy.canary.stableService: ...' }]
 */
export function checkManifests(
  manifests: Manifest[],
  opts: { strict: boolean; defaultNamespace: string },
): { rollouts: number; findings: Finding[] } {
  const objects: Objects = {
    services: index(manifests, 'Service', opts.defaultNamespace),
    virtualServices: index(manifests, 'VirtualService', opts.defaultNamespace),
    destinationRules: index(manifests, 'DestinationRule', opts.defaultNamespace),
    templates: index(manifests, 'AnalysisTemplate', opts.defaultNamespace),
    clusterTemplates: index(manifests, 'ClusterAnalysisTemplate', ''),
    deployments: index(manifests, 'Deployment', opts.defaultNamespace),
  };
  const findings: Finding[] = templateFindings(manifests, opts.defaultNamespace);
  let rollouts = 0;
  for (const m of manifests) {
    if (m.object.kind !== 'Rollout') continue;
    rollouts++;
    const doc = structuredClone(m.object) as { metadata?: Record<string, unknown> };
    if (doc.metadata && typeof doc.metadata === 'object' && !doc.metadata.namespace)
      doc.metadata.namespace = opts.defaultNamespace;
    const meta = (doc.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const subject = `Rollout ${String(meta.namespace ?? '?')}/${String(meta.name ?? '?')}`;
    const add = (level: Finding['level'], message: string): void => {
      findings.push({ level, file: m.file, line: m.line, subject, message });
    };
    let r: Rollout;
    try {
      r = parseRollout(doc);
    } catch (err) {
      add('error', (err instanceof Error ? err.message : String(err)).replace(/^Rollout [^:]*: /, ''));
      continue;
    }
    const specError = validateRolloutSpec(r);
    if (specError) {
      add('error', specError);
      continue;
    }
    let failed = false;
    const report = (missing: boolean, message: string): void => {
      if (missing && !opts.strict) return add('warning', `${message} — ${MISSING_NOTE}`);
      if (failed) return;
      failed = true;
      add('error', message);
    };
    const resolved = resolveFromFiles(r, objects, report, opts.strict);
    if (!resolved) continue;
    r = resolved;
    // The engine's order; the first error ends the Rollout's checks.
    const stages = [
      serviceFindings,
      istioFormFinding,
      virtualServiceFindings,
      destinationRuleFindings,
      analysisFindings,
    ];
    for (const stage of stages) {
      stage(r, objects, report);
      if (failed) break;
    }
  }
  return { rollouts, findings };
}
