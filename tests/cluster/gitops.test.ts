/**
 * GitOps next to sluice on the real API server (docs/gitops.md): git's server-side apply (fieldManager
 * `argocd-controller`, force, as Argo CD's `ServerSideApply=true` sync sends it) of the VirtualService,
 * DestinationRule and Services in the middle of a rollout. sluice puts its fields back once, records it once, then
 * writes nothing more; managedFields name sluice as the owner of exactly its fields and git's manager of the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeObject, Rollout } from '../../shared/core/model/types.js';
import { runStep } from '../../shared/app/step.js';
import { startJourney, routeWeights, selectorHash, type Journey } from '../journeys/harness.js';
import { IMAGE_V1, IMAGE_V2, service } from '../journeys/fixtures.js';

const GIT = 'argocd-controller';
const HASH = 'rollouts-pod-template-hash';

/** The objects as git holds them: no pod-template hashes, the VirtualService at stable 100 / canary 0. */
const gitService = (name: string) => service(name);
const gitDestinationRule = () => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews' },
  spec: {
    host: 'reviews',
    trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } },
    subsets: [
      { name: 'canary', labels: { app: 'reviews' } },
      { name: 'stable', labels: { app: 'reviews' } },
    ],
  },
});
const gitVirtualService = (weights: [number, number] | 'none' = [100, 0]) => {
  const dest = (subset: string, weight: number | undefined) => ({
    destination: { host: 'reviews', subset },
    ...(weight === undefined ? {} : { weight }),
  });
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews' },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          name: 'primary',
          timeout: '5s',
          route:
            weights === 'none'
              ? [dest('stable', undefined), dest('canary', undefined)]
              : [dest('stable', weights[0]), dest('canary', weights[1])],
        },
      ],
    },
  };
};
const gitRollout = (image: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'reviews' },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'reviews' } },
    template: {
      metadata: { labels: { app: 'reviews' } },
      spec: { containers: [{ name: 'app', image }] },
    },
    strategy: {
      canary: {
        canaryService: 'reviews-canary',
        stableService: 'reviews-stable',
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }],
        trafficRouting: {
          istio: {
            virtualService: { name: 'reviews', routes: ['primary'] },
            destinationRule: { name: 'reviews', canarySubsetName: 'canary', stableSubsetName: 'stable' },
          },
        },
      },
    },
  },
});

const PATHS: Record<string, (ns: string, name: string) => string> = {
  Service: (ns, n) => `/api/v1/namespaces/${ns}/services/${n}`,
  VirtualService: (ns, n) => `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/${n}`,
  DestinationRule: (ns, n) => `/apis/networking.istio.io/v1/namespaces/${ns}/destinationrules/${n}`,
  Rollout: (ns, n) => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${n}`,
};

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

let j: Journey;

/** A server-side apply as Argo CD's sync sends it: `apply-patch+yaml`, fieldManager argocd-controller, force. */
async function gitApply(manifest: Manifest): Promise<KubeObject> {
  const path = PATHS[manifest.kind]?.(j.ns, manifest.metadata.name) as string;
  const body = { ...manifest, metadata: { ...manifest.metadata, namespace: j.ns } };
  const res = await j.backend.request(
    'PATCH',
    `${path}?fieldManager=${GIT}&force=true`,
    body,
    'application/apply-patch+yaml',
  );
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`git apply ${manifest.kind} ${j.ns}/${manifest.metadata.name}: HTTP ${res.status}`);
  return res.body as KubeObject;
}

const syncedFromGit = (): Manifest[] => [
  gitService('reviews-canary'),
  gitService('reviews-stable'),
  gitDestinationRule(),
  gitVirtualService(),
];

/** The objects sluice manages, as read now. */
async function managed(): Promise<Record<string, KubeObject>> {
  return {
    canary: await j.get('services', 'reviews-canary'),
    stable: await j.get('services', 'reviews-stable'),
    dr: await j.get('destinationrules', 'reviews'),
    vs: await j.get('virtualservices', 'reviews'),
  };
}

const subsetHashes = (dr: KubeObject): (string | undefined)[] =>
  ((dr.spec as { subsets: { labels?: Record<string, string> }[] }).subsets ?? []).map(
    (s) => s.labels?.[HASH],
  );

/** The top-level `spec` fields each manager owns (`f:spec` members), from managedFields (main resource only). */
interface ManagedEntry {
  manager: string;
  subresource?: string;
  fieldsV1?: Record<string, Record<string, Record<string, unknown>> | undefined>;
}

function specOwners(o: KubeObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of (o.metadata.managedFields as ManagedEntry[] | undefined) ?? []) {
    if (e.subresource) continue;
    const fields = Object.keys(e.fieldsV1?.['f:spec'] ?? {}).map((k) => k.replace(/^f:/, ''));
    if (fields.length) out[e.manager] = [...(out[e.manager] ?? []), ...fields].sort();
  }
  return out;
}

/** The `metadata` fields of sluice's managedFields entry on the main resource. */
function sluiceMetadata(o: KubeObject): Record<string, unknown> | undefined {
  const entries = (o.metadata.managedFields as ManagedEntry[] | undefined) ?? [];
  return entries.find((e) => e.manager === 'sluice' && !e.subresource)?.fieldsV1?.['f:metadata'];
}

async function driftEvents(): Promise<{ message: string; count: number }[]> {
  return (await j.events('reviews')).filter((e) => e.reason === 'DriftCorrected');
}

/** Runs `n` passes and returns how many writes each made. */
async function passes(n: number): Promise<number[]> {
  const writes: number[] = [];
  for (let i = 0; i < n; i++)
    writes.push((await runStep(j.deps, { namespace: j.ns, name: 'reviews' })).writes);
  return writes;
}

let canaryHash: string;
let stableHash: string;

beforeAll(async () => {
  j = await startJourney('gitops', []);
  for (const m of [...syncedFromGit(), gitRollout(IMAGE_V1)]) await gitApply(m);
  await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
  await gitApply(gitRollout(IMAGE_V2));
  const paused = await j.drive(
    'reviews',
    (r: Rollout) => r.status?.currentStepIndex === 1 && !!r.status.pauseConditions,
  );
  canaryHash = paused.status?.currentPodHash as string;
  stableHash = paused.status?.stableRS as string;
  expect(canaryHash).not.toBe(stableHash);
}, 60_000);

afterAll(async () => {
  await j?.stop();
});

describe('git re-applies the traffic objects with server-side apply in the middle of a rollout', () => {
  it('sluice holds the step: weights 80/20, subsets and selectors on the two hashes', async () => {
    const m = await managed();
    expect(routeWeights(m.vs as KubeObject)).toEqual([
      ['reviews/stable', 80],
      ['reviews/canary', 20],
    ]);
    expect(subsetHashes(m.dr as KubeObject)).toEqual([canaryHash, stableHash]);
    expect([selectorHash(m.canary as KubeObject), selectorHash(m.stable as KubeObject)]).toEqual([
      canaryHash,
      stableHash,
    ]);
    expect(await driftEvents()).toEqual([]);
  });

  it("a forced apply of git's values takes sluice's fields; one pass restores them and records one Event each", async () => {
    for (const o of syncedFromGit()) await gitApply(o);
    const reverted = await managed();
    expect(routeWeights(reverted.vs as KubeObject)).toEqual([
      ['reviews/stable', 100],
      ['reviews/canary', 0],
    ]);
    expect(subsetHashes(reverted.dr as KubeObject)).toEqual([undefined, undefined]);
    expect([
      selectorHash(reverted.canary as KubeObject),
      selectorHash(reverted.stable as KubeObject),
    ]).toEqual([undefined, undefined]);

    const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect(res.transition).toBeUndefined();
    expect((res.driftCorrected ?? []).map((c) => `${c.object.kind}/${c.object.name}`).sort()).toEqual([
      'DestinationRule/reviews',
      'Service/reviews-canary',
      'Service/reviews-stable',
      'VirtualService/reviews',
    ]);
    const restored = await managed();
    expect(routeWeights(restored.vs as KubeObject)).toEqual([
      ['reviews/stable', 80],
      ['reviews/canary', 20],
    ]);
    expect(subsetHashes(restored.dr as KubeObject)).toEqual([canaryHash, stableHash]);
    expect([
      selectorHash(restored.canary as KubeObject),
      selectorHash(restored.stable as KubeObject),
    ]).toEqual([canaryHash, stableHash]);
    // git's own fields stay as git applied them.
    expect((restored.vs?.spec as { http: { timeout?: string }[] }).http[0]?.timeout).toBe('5s');

    const drift = await driftEvents();
    expect(drift).toHaveLength(4);
    expect(drift.every((e) => e.count === 1)).toBe(true);
    expect(drift.map((e) => e.message).find((m) => m.startsWith('VirtualService'))).toContain(
      'http[primary] reviews/stable=100, reviews/canary=0 -> http[primary] reviews/stable=80, reviews/canary=20',
    );
  });

  it('never flaps: further passes write nothing and record nothing', async () => {
    const before = await managed();
    expect(await passes(3)).toEqual([0, 0, 0]);
    const after = await managed();
    for (const k of Object.keys(before))
      expect(after[k]?.metadata.resourceVersion).toBe(before[k]?.metadata.resourceVersion);
    expect(await driftEvents()).toHaveLength(4);
  });

  it('managedFields name sluice as the owner of exactly its fields, git of the rest', async () => {
    const m = await managed();
    // Istio's lists (http, subsets) and a Service's selector are atomic: whoever changed one last owns all of it.
    expect(specOwners(m.vs as KubeObject)).toEqual({ [GIT]: ['hosts'], sluice: ['http'] });
    expect(specOwners(m.dr as KubeObject)).toEqual({ [GIT]: ['host', 'trafficPolicy'], sluice: ['subsets'] });
    for (const svc of [m.canary, m.stable])
      expect(specOwners(svc as KubeObject)).toEqual({ [GIT]: ['ports'], sluice: ['selector'] });
    // Beside those, sluice's only field on the DestinationRule and the Services is its managed-by annotation.
    for (const o of [m.dr, m.canary, m.stable])
      expect(sluiceMetadata(o as KubeObject)).toEqual({
        'f:annotations': { '.': {}, 'f:argo-rollouts.argoproj.io/managed-by-rollouts': {} },
      });
    // On the Rollout, git owns the spec; sluice writes only the revision annotation and the status subresource.
    const rollout = await j.get('rollouts', 'reviews');
    expect(specOwners(rollout)).toEqual({ [GIT]: ['replicas', 'selector', 'strategy', 'template'] });
    const sluiceEntries = (rollout.metadata.managedFields as ManagedEntry[]).filter(
      (e) => e.manager === 'sluice',
    );
    expect(sluiceEntries.map((e) => [e.subresource ?? 'main', Object.keys(e.fieldsV1 ?? {})])).toEqual([
      ['main', ['f:metadata']],
      ['status', ['f:status']],
    ]);
    expect(Object.keys(sluiceEntries[0]?.fieldsV1?.['f:metadata']?.['f:annotations'] ?? {})).toEqual([
      '.',
      'f:rollout.argoproj.io/revision',
    ]);
  });

  it('a re-apply carrying the live values (RespectIgnoreDifferences) leaves sluice nothing to do', async () => {
    const live = await managed();
    const carry = (o: Manifest, from: KubeObject): Manifest => ({ ...o, spec: { ...o.spec, ...pick(from) } });
    await gitApply(carry(gitService('reviews-canary'), live.canary as KubeObject));
    await gitApply(carry(gitService('reviews-stable'), live.stable as KubeObject));
    await gitApply(carry(gitDestinationRule(), live.dr as KubeObject));
    await gitApply(carry(gitVirtualService(), live.vs as KubeObject));
    // Same values: git becomes a co-owner of the atomic fields, nothing changes.
    const after = await managed();
    expect(routeWeights(after.vs as KubeObject)).toEqual(routeWeights(live.vs as KubeObject));
    expect(specOwners(after.vs as KubeObject)).toEqual({ [GIT]: ['hosts', 'http'], sluice: ['http'] });
    expect(await passes(3)).toEqual([0, 0, 0]);
    expect(await driftEvents()).toHaveLength(4);
  });

  it('a manifest without weights still replaces the atomic http list: restored once, then quiet', async () => {
    await gitApply(gitVirtualService('none'));
    const stripped = await j.get('virtualservices', 'reviews');
    expect(routeWeights(stripped)).toEqual([
      ['reviews/stable', 0],
      ['reviews/canary', 0],
    ]);
    const res = await runStep(j.deps, { namespace: j.ns, name: 'reviews' });
    expect((res.driftCorrected ?? []).map((c) => c.object.kind)).toEqual(['VirtualService']);
    expect(routeWeights(await j.get('virtualservices', 'reviews'))).toEqual([
      ['reviews/stable', 80],
      ['reviews/canary', 20],
    ]);
    expect(await passes(3)).toEqual([0, 0, 0]);
    expect(await driftEvents()).toHaveLength(5);
  });
});

/** The fields sluice manages, copied from a live object (what Argo CD's RespectIgnoreDifferences pre-patch does). */
function pick(live: KubeObject): Record<string, unknown> {
  const spec = live.spec as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['http', 'subsets', 'selector']) if (spec[k] !== undefined) out[k] = spec[k];
  return out;
}
