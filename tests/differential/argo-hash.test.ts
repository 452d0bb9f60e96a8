/**
 * sluice's pod-template hash against Argo Rollouts' real controller: for varied pod templates (env, odd resource
 * quantities, probes with int and named ports, volumes, annotations with `<>&`, init containers, affinity, unknown
 * fields, a time), Argo creates each Rollout's ReplicaSet and sluice's podTemplateHash of the stored template must
 * equal the `rollouts-pod-template-hash` Argo put on it. A decoy ReplicaSet holding the name sluice predicts makes
 * Argo bump `status.collisionCount`: the next hash, with the collision bytes, must match too.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { goMarshal } from '../../shared/core/model/go-json.js';
import { GO_STRUCTS, POD_TEMPLATE_SPEC } from '../../shared/core/model/go-pod-template.generated.js';
import { podTemplateHash } from '../../shared/core/model/hash.js';
import type { JsonObject, ReplicaSet, Rollout } from '../../shared/core/model/types.js';
import { adminRequest, createNamespace } from '../support/cluster.js';
import { argoBinaries, startArgo, type ArgoController } from './argo.js';
import { freePort } from './ports.js';

const container = (name: string, extra: JsonObject = {}): JsonObject => ({
  name,
  image: `registry.example/${name}:v1`,
  ...extra,
});

/** Pod specs (labels are added per Rollout). */
const SPECS: Record<string, JsonObject> = {
  plain: { containers: [container('app')] },
  env: {
    containers: [
      container('app', {
        env: [
          { name: 'A', value: '1' },
          { name: 'EMPTY', value: '' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        ],
        envFrom: [{ configMapRef: { name: 'cm', optional: true } }],
      }),
    ],
  },
  quantities: {
    containers: [
      container('app', {
        resources: {
          requests: { cpu: '0.5', memory: '1024Mi', 'ephemeral-storage': '1e3' },
          limits: { cpu: '1000m', memory: '1.5Gi', 'example.com/dongle': 2 },
        },
      }),
    ],
    overhead: { cpu: '250m' },
  },
  probes: {
    containers: [
      container('app', {
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 'http' }, failureThreshold: 3 },
        startupProbe: { exec: { command: ['sh', '-c', 'true'] } },
        lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
      }),
    ],
  },
  volumes: {
    volumes: [
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420, items: [{ key: 'k', path: 'p' }] } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi', medium: 'Memory' } },
      { name: 'empty', emptyDir: {} },
      {
        name: 'proj',
        projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }] },
      },
    ],
    containers: [container('app', { volumeMounts: [{ name: 'cfg', mountPath: '/etc/c', readOnly: true }] })],
  },
  init: {
    initContainers: [container('init', { command: ['sh', '-c', 'echo <ready> && exit 0'] })],
    containers: [container('app')],
    terminationGracePeriodSeconds: 30,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    securityContext: { runAsNonRoot: true, runAsUser: 1000 },
  },
  affinity: {
    containers: [container('app')],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z'] }] }],
        },
      },
    },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }],
  },
  odd: {
    containers: [container('app', { notAField: { x: 1 }, imagePullPolicy: 'IfNotPresent' })],
    hostAliases: [{ ip: '127.0.0.1', hostnames: ['a.example'] }],
  },
};

/** Extra template metadata per case (annotations with HTML characters, a creation time). */
const METADATA: Record<string, JsonObject> = {
  probes: { annotations: { note: '<b>a & b</b>', 'example.com/unicode': 'é ü \u2028' } },
  odd: { creationTimestamp: '2024-02-03T04:05:06+02:00', annotations: { x: 'a&b' } },
};

const CASES = Object.keys(SPECS);

function rolloutOf(name: string, spec = name): JsonObject {
  const labels = { app: name };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels, ...METADATA[spec] }, spec: SPECS[spec] ?? {} },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

async function request(method: string, url: string, body?: unknown): Promise<unknown> {
  const res = await adminRequest(method, url, body);
  if (res.status >= 300) throw new Error(`${method} ${url}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const rsUrl = (ns: string) => `/apis/apps/v1/namespaces/${ns}/replicasets`;
const rolloutUrl = (ns: string, name = '') => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${name}`;

/** The ReplicaSets Argo created (owned by a Rollout), by Rollout name; waits until each of `names` has one. */
async function ownedReplicaSets(
  ns: string,
  names: string[],
  log: () => string,
): Promise<Map<string, ReplicaSet>> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const list = (await request('GET', rsUrl(ns))) as { items: ReplicaSet[] };
    const byOwner = new Map<string, ReplicaSet>();
    for (const rs of list.items) {
      const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Rollout');
      if (owner) byOwner.set(owner.name, rs);
    }
    if (names.every((n) => byOwner.has(n))) return byOwner;
    if (Date.now() > deadline)
      throw new Error(
        `Argo created no ReplicaSet in ${ns} for ${names.filter((n) => !byOwner.has(n)).join(', ')}; ` +
          `controller log:\n${log().slice(-3000)}`,
      );
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

describe("podTemplateHash equals the hash Argo Rollouts' controller writes", () => {
  let ns = '';
  let argo: ArgoController | undefined;
  beforeAll(async () => {
    const bin = argoBinaries();
    ns = await createNamespace('argo-hash');
    argo = startArgo(bin, ns, { metrics: await freePort(), healthz: await freePort() });
  }, 3_600_000);
  afterAll(async () => {
    await argo?.stop();
  });

  it(`for ${CASES.length} varied templates`, async () => {
    for (const name of CASES) await request('POST', rolloutUrl(ns), rolloutOf(name));
    const owned = await ownedReplicaSets(ns, CASES, () => argo?.log() ?? '');
    const rows: string[] = [];
    for (const name of CASES) {
      // The template as the API server stored it (CRD defaults and pruning applied): what Argo read.
      const r = (await request('GET', rolloutUrl(ns, name))) as Rollout;
      const template = r.spec.template ?? {};
      expect(goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, template)).toBeDefined();
      const label = owned.get(name)?.metadata.labels?.['rollouts-pod-template-hash'];
      rows.push(`${name}: argo ${label} / sluice ${podTemplateHash(template, r.status?.collisionCount)}`);
    }
    process.stdout.write(`[argo-hash] ${rows.join('; ')}\n`);
    expect(rows.filter((row) => !/argo (\S+) \/ sluice \1$/.test(row))).toEqual([]);
  }, 120_000);

  it('after a hash collision: collisionCount 1 and the hash with its bytes', async () => {
    const name = 'collide';
    const body = rolloutOf(name, 'plain') as { spec: { template: JsonObject } };
    const predicted = podTemplateHash(body.spec.template);
    // A ReplicaSet with another template already holds the name `<rollout>-<hash>` (labels outside the selector).
    await request('POST', rsUrl(ns), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      // Argo's ReplicaSet informer only sees ReplicaSets with a pod-template-hash label: give it one of its own.
      metadata: {
        name: `${name}-${predicted}`,
        labels: { decoy: 'yes', 'rollouts-pod-template-hash': 'decoy' },
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { decoy: 'yes' } },
        template: { metadata: { labels: { decoy: 'yes' } }, spec: { containers: [container('decoy')] } },
      },
    });
    await request('POST', rolloutUrl(ns), body);
    const rs = (await ownedReplicaSets(ns, [name], () => argo?.log() ?? '')).get(name);
    const r = (await request('GET', rolloutUrl(ns, name))) as Rollout;
    expect(r.status?.collisionCount).toBe(1);
    const label = rs?.metadata.labels?.['rollouts-pod-template-hash'];
    expect(label).toBe(podTemplateHash(r.spec.template ?? {}, 1));
    expect(label).not.toBe(predicted);
    expect(rs?.metadata.name).toBe(`${name}-${label}`);
  }, 120_000);
});
