/**
 * Reads everything the engine looks at for one Rollout, in one pass (reads in parallel).
 */
import type { KubeObject, LabelSelector, ReplicaSet, Rollout, Service } from '../core/model/types.js';
import { referencedDeployment } from '../core/model/workload-ref.js';
import type { Observed, ObservedVirtualService } from '../core/engine/types.js';
import type { KubeGateway } from './kube-port/gateway.js';
import { parseVirtualServiceName, virtualServiceRefs } from '../core/istio/names.js';
import { usesAnalysis, type ObservedAnalysis } from '../core/engine/analysis.js';
import type { AnalysisRun, AnalysisTemplate } from '../core/analysis/types.js';
import { analysisGroups } from '../core/analysis/references.js';
import { formatLabelSelector, needsRestart, type RestartPod } from '../core/engine/restart.js';

/** Names of the Services a Rollout references (canary/stable, ping/pong), without duplicates or blanks. */
export function referencedServiceNames(rollout: Rollout): string[] {
  const canary = rollout.spec?.strategy?.canary;
  const names = [
    canary?.canaryService,
    canary?.stableService,
    canary?.pingPong?.pingService,
    canary?.pingPong?.pongService,
  ];
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/** The Rollout's VirtualService references, in spec order (`virtualService` or `virtualServices`). */
export function virtualServiceNames(rollout: Rollout): string[] {
  const istio = rollout.spec?.strategy?.canary?.trafficRouting?.istio;
  if (!istio) return [];
  return virtualServiceRefs(istio)
    .map((ref) => (typeof ref?.name === 'string' ? ref.name : ''))
    .filter((n) => n !== '');
}

/** True when `rs` has an ownerReference to the Rollout with `uid`. */
function ownedBy(rs: KubeObject, uid: string | undefined): boolean {
  return uid !== undefined && (rs.metadata.ownerReferences ?? []).some((ref) => ref.uid === uid);
}

/** True when `obj`'s controller ownerReference is the object with `uid`. */
function controlledBy(obj: KubeObject, uid: string | undefined): boolean {
  return uid !== undefined && (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller);
}

/**
 * The Rollout's AnalysisRuns (controller ownerReference) and the templates it can name, read only for a Rollout that
 * uses analysis or names a run in its status. ClusterAnalysisTemplates are listed only when a reference asks for one
 * (in the Rollout or nested in its namespace's templates): most Rollouts name none, and a namespace-scoped install has
 * no right to that cluster-wide list.
 */
export async function observeAnalysis(gw: KubeGateway, rollout: Rollout): Promise<ObservedAnalysis> {
  const ns = rollout.metadata.namespace;
  const [runs, templates] = await Promise.all([
    gw.list('analysisruns', ns),
    gw.list('analysistemplates', ns),
  ]);
  const namespaced = templates.items as unknown as AnalysisTemplate[];
  const refs = [
    ...analysisGroups(rollout.spec.strategy?.canary).flatMap((g) => g.templates),
    ...namespaced.flatMap((t) => t.spec.templates ?? []),
  ];
  const clusterTemplates = refs.some((t) => t.clusterScope === true)
    ? ((await gw.list('clusteranalysistemplates', undefined)).items as unknown as AnalysisTemplate[])
    : [];
  return {
    runs: runs.items.filter((r) => controlledBy(r, rollout.metadata.uid)) as unknown as AnalysisRun[],
    templates: namespaced,
    clusterTemplates,
  };
}

/**
 * The Deployment a Rollout's `spec.workloadRef` names, read in the Rollout's namespace only (`object` undefined when
 * not found), or undefined when it has no workloadRef. A reference sluice does not resolve (another kind, a name
 * no object can have) reads nothing.
 */
async function observeWorkload(gw: KubeGateway, rollout: Rollout): Promise<Observed['workload']> {
  if (rollout.spec['workloadRef'] === undefined) return undefined;
  const name = referencedDeployment(rollout);
  const object = name ? await gw.get('deployments', rollout.metadata.namespace, name) : undefined;
  return object ? { object } : {};
}

/**
 * The pods a due restart looks at: listed by the Rollout's selector (a workloadRef Rollout without one: its
 * Deployment's), only while a restart is due.
 */
async function restartPods(
  gw: KubeGateway,
  rollout: Rollout,
  workload: Promise<Observed['workload']>,
  now: Date,
): Promise<{ items: KubeObject[] } | undefined> {
  if (!needsRestart(rollout, now)) return undefined;
  // Only a Rollout without a selector waits for its Deployment's read (the same read, not a second one).
  const selector =
    rollout.spec.selector ??
    ((await workload)?.object?.spec as { selector?: LabelSelector } | undefined)?.selector;
  return gw.list('pods', rollout.metadata.namespace, { labelSelector: formatLabelSelector(selector) });
}

/**
 * Reads a Rollout and the objects it references. Returns undefined when the Rollout does not exist.
 *
 * With `spec.workloadRef` naming an `apps/v1` Deployment, that Deployment is read (in the Rollout's namespace only,
 * and only then); the engine resolves the template from it.
 *
 * ReplicaSets are the ones in the Rollout's namespace with an ownerReference to its uid. Pods are listed (by the
 * Rollout's selector) only while a restart is due (`spec.restartAt` passed and not yet recorded in the status). VirtualServices and the
 * DestinationRule are read through `istioGateway` when given (Istio primary cluster), else through `gw`.
 *
 * @example
 * const observed = await observe(gw, 'shop', 'reviews', new Date());
 */
export async function observe(
  gw: KubeGateway,
  namespace: string,
  name: string,
  now: Date,
  istioGateway: KubeGateway = gw,
): Promise<Observed | undefined> {
  const raw = await gw.get('rollouts', namespace, name);
  if (!raw) return undefined;
  const rollout = raw as Rollout;
  // Read beside the others; a restart of a Rollout without a selector lists pods by the Deployment's.
  const workloadRead = observeWorkload(gw, rollout);
  const uid = rollout.metadata.uid;
  const serviceNames = referencedServiceNames(rollout);
  const vsNames = virtualServiceNames(rollout);
  const drName = rollout.spec?.strategy?.canary?.trafficRouting?.istio?.destinationRule?.name;

  const [rsList, services, virtualServices, destinationRule, analysis, pods, workload] = await Promise.all([
    gw.list('replicasets', namespace),
    Promise.all(serviceNames.map(async (svc) => [svc, await gw.get('services', namespace, svc)] as const)),
    Promise.all(
      vsNames.map(async (vsName, index): Promise<ObservedVirtualService> => {
        const key = parseVirtualServiceName(vsName, namespace);
        const object = await istioGateway.get('virtualservices', key.namespace, key.name);
        return object ? { key, index, object } : { key, index };
      }),
    ),
    drName ? istioGateway.get('destinationrules', namespace, drName) : Promise.resolve(undefined),
    usesAnalysis(rollout) ? observeAnalysis(gw, rollout) : Promise.resolve(undefined),
    restartPods(gw, rollout, workloadRead, now),
    workloadRead,
  ]);

  const observed: Observed = {
    rollout,
    replicaSets: rsList.items.filter((rs) => ownedBy(rs, uid)) as ReplicaSet[],
    services: Object.fromEntries(services.map(([svc, obj]) => [svc, obj as Service | undefined])),
    virtualServices,
    now,
  };
  if (destinationRule) observed.destinationRule = destinationRule;
  if (analysis) observed.analysis = analysis;
  if (pods) observed.pods = pods.items as RestartPod[];
  if (workload) observed.workload = workload;
  return observed;
}
