/**
 * Every path under exactly the shipped roles: the cluster-wide `sluice` ClusterRole (deploy/rbac/workload-cluster.yaml,
 * bound cluster-wide) and the namespace-scoped Role (deploy/rbac/namespace-scoped.yaml, bound in the Rollout's
 * namespace only, with the loop scoped to that namespace). sluice's Kubernetes calls go through a ServiceAccount
 * token (TokenRequest) with that role and nothing else. The signed operator API answers each path as
 * docs/security.md says (never 500); the control loop (tick, step, watch, drift report, status) gets no 403 anywhere.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { requestAs, serviceAccountKubeconfig, WORKLOAD_MANIFEST, type PolicyRule } from '../support/rbac.js';
import { adminRequest, createNamespace } from '../support/cluster.js';
import { decorateGateway } from '../../shared/app/kube-port/decorate.js';
import { KubeApiError } from '../../shared/app/kube-port/errors.js';
import type { KubeGateway } from '../../shared/app/kube-port/gateway.js';
import { driftReport, step, tick, watchCluster } from '../../shared/app/control-loop.js';
import type { BusEvent, DriftDetail } from '../../shared/app/contract.js';
import type { LoopDeps } from '../../shared/app/ports.js';
import { silentLogger } from '../../shared/app/logger.js';
import { describeRollout } from '../../shared/app/status-view.js';
import { repoRoot } from '../../tools/test-cluster/cluster.js';
import path from 'node:path';
import { setImage, startJourney, type Journey } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';
import {
  CLUSTER,
  SECRETS,
  countingGateway,
  httpEvent,
  instanceLabelled,
  lambdaContext,
  mockEventBridge,
  testDeps,
  quiet,
} from './support.js';

const INSTANCE = 'fn-shipped-role';
const [key] = SECRETS as [(typeof SECRETS)[0]];

const NAMESPACED_MANIFEST = path.join(repoRoot, 'deploy', 'rbac', 'namespace-scoped.yaml');
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
type Doc = {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  rules?: PolicyRule[];
  subjects?: { kind: string; name: string; namespace?: string }[];
};

function manifest(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);
}

/** The rules of the ClusterRole named `sluice` in the shipped manifest, and only those. */
function shippedRole(): PolicyRule[] {
  const role = manifest(WORKLOAD_MANIFEST).find(
    (d) => d?.kind === 'ClusterRole' && d.metadata?.name === 'sluice',
  );
  if (!role?.rules) throw new Error(`no ClusterRole sluice in ${WORKLOAD_MANIFEST}`);
  return role.rules;
}

/**
 * A ServiceAccount with exactly the namespace-scoped manifest's Role and RoleBinding, applied in `ns` (the
 * RoleBinding's subject pointed at that ServiceAccount). The account starts with an empty ClusterRole.
 */
async function namespacedKubeconfig(ns: string, saNs: string): Promise<string> {
  const kubeconfig = await serviceAccountKubeconfig({ namespace: saNs, name: 'sluice', rules: [] });
  for (const doc of manifest(NAMESPACED_MANIFEST)) {
    const kind = doc.kind === 'Role' ? 'roles' : 'rolebindings';
    const body = { ...doc, metadata: { ...doc.metadata, namespace: ns } };
    if (doc.subjects) body.subjects = [{ kind: 'ServiceAccount', name: 'sluice', namespace: saNs }];
    const res = await adminRequest('POST', `${RBAC}/namespaces/${ns}/${kind}`, body);
    if (res.status !== 201)
      throw new Error(`create ${doc.kind} in ${ns}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  // RBAC is informer-driven: wait until the binding takes effect.
  const deadline = Date.now() + 10_000;
  while (
    (await requestAs(kubeconfig, 'GET', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`)).status !==
    200
  )
    if (Date.now() > deadline)
      throw new Error(`the namespace-scoped Role in ${ns} is not effective after 10 s`);
    else await new Promise((r) => setTimeout(r, 50));
  return kubeconfig;
}

/** Wraps a gateway: every call refused with 403 is listed (the path must not need a permission it lacks). */
function forbiddenRecorder(inner: KubeGateway): { gw: KubeGateway; forbidden: string[] } {
  const forbidden: string[] = [];
  const gw = decorateGateway(inner, {
    around: async (request, send) => {
      try {
        return await send(inner);
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 403) forbidden.push(err.message);
        throw err;
      }
    },
  });
  return { gw, forbidden };
}

const ROLES = [
  { role: 'the cluster-wide ClusterRole', scoped: false },
  { role: 'the namespace-scoped Role', scoped: true },
];

interface Sent {
  action?: string;
  body?: string;
  idempotencyKey?: string;
  at?: Date;
}

describe('both shipped manifests are accepted by the API server', () => {
  it.each([WORKLOAD_MANIFEST, NAMESPACED_MANIFEST])(
    '%s: every object (server-side dry run)',
    async (file) => {
      // Unique names and a fresh namespace, so the dry run cannot collide with anything on the shared cluster.
      const ns = await createNamespace('rbac-manifest');
      const answers: string[] = [];
      for (const doc of manifest(file)) {
        const name = `${doc.metadata?.name}-${ns}`.slice(0, 63);
        const where = doc.metadata?.namespace ? `/namespaces/${ns}` : '';
        const body = { ...doc, metadata: { ...doc.metadata, name, ...(where ? { namespace: ns } : {}) } };
        const res = await adminRequest(
          'POST',
          `${RBAC}${where}/${doc.kind?.toLowerCase()}s?dryRun=All`,
          body,
        );
        answers.push(
          `${doc.kind} ${doc.metadata?.name}: ${res.status === 201 ? 'accepted' : `${res.status} ${res.body?.message}`}`,
        );
      }
      expect(answers).toEqual(manifest(file).map((d) => `${d.kind} ${d.metadata?.name}: accepted`));
    },
  );

  it('the namespace-scoped Role has exactly the rules of the ClusterRole', () => {
    const role = manifest(NAMESPACED_MANIFEST).find((d) => d.kind === 'Role');
    expect(role?.rules).toEqual(shippedRole());
  });
});

describe.each(ROLES)('every path under exactly $role', ({ scoped }) => {
  let j: Journey;
  let counted: ReturnType<typeof countingGateway>;
  let recorder: ReturnType<typeof forbiddenRecorder>;
  let bus: ReturnType<typeof mockEventBridge>;
  let container: () => (s: Sent) => Promise<HttpResponse>;

  beforeAll(async () => {
    const seed = hostSeed().map((o) => (o.kind === 'Rollout' ? instanceLabelled(o, INSTANCE) : o));
    j = await startJourney('fn-shipped-role', seed);
    await j.drive('reviews', (r) => r.status?.phase === 'Healthy');
    await setImage(j.ns, 'reviews', IMAGE_V2);
    await j.drive('reviews', (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused');
    const saNs = `${j.ns}-sa`.slice(0, 63);
    const kubeconfig = scoped
      ? await namespacedKubeconfig(j.ns, saNs)
      : await serviceAccountKubeconfig({ namespace: saNs, name: 'sluice', rules: shippedRole() });
    recorder = forbiddenRecorder(createGateway(toKubeConfig(parseKubeconfig(kubeconfig))));
    counted = countingGateway(recorder.gw);
    bus = mockEventBridge();
    container = () => {
      const handler = createPromoteHandler(async () => testDeps(counted.gw, INSTANCE), quiet);
      return (s) => {
        const path = `/v1/clusters/${CLUSTER}/namespaces/${j.ns}/rollouts/reviews${s.action ? `/${s.action}` : ''}`;
        const method = s.action ? 'POST' : 'GET';
        const body = s.action ? (s.body ?? '{}') : '';
        const headers = signRequest({
          secret: key.secret,
          keyId: key.id,
          method,
          path,
          body,
          ...(s.idempotencyKey === undefined ? {} : { idempotencyKey: s.idempotencyKey }),
          now: s.at ?? new Date(),
        });
        const event = httpEvent(method, path, s.action ? body : undefined, {
          ...headers,
          ...(s.action ? { 'content-type': 'application/json' } : {}),
        });
        return createHandlerCall(handler, event);
      };
    };
  });
  afterAll(async () => {
    bus.mock.restore();
    await j.stop();
  });

  const createHandlerCall = (
    handler: ReturnType<typeof createPromoteHandler>,
    event: ReturnType<typeof httpEvent>,
  ): Promise<HttpResponse> => handler(event, lambdaContext()) as Promise<HttpResponse>;

  it('answers each path as documented, in order (read, claim, replay, retry, reused key, stale step, actions)', async () => {
    const a = container();
    const idempotencyKey = `shipped-${Date.now()}`;
    const promote: Sent = { action: 'promote', body: '{"expectedStep":1}', idempotencyKey };
    // Signed once at a fixed time, so the second send is the same captured request (a replay), not a new one
    // signed a second later.
    const unkeyed: Sent = { action: 'promote', body: '{"reason":"unkeyed"}', at: new Date() };
    const steps: [path: string, send: () => Promise<HttpResponse>, status: number, persisted: boolean][] = [
      ['signed read', () => a({}), 200, false],
      ['accepted action (claimed first)', () => a(promote), 200, true],
      ['replay to another container (claim found)', () => container()(promote), 409, false],
      [
        'idempotent retry, re-signed',
        () => container()({ ...promote, at: new Date(Date.now() + 1000) }),
        409,
        false,
      ],
      ['key reused for another request', () => a({ ...promote, action: 'abort' }), 422, false],
      ['stale expectedStep', () => a({ action: 'promote', body: '{"expectedStep":0}' }), 409, false],
      ['accepted action without a key (claimed on the signature)', () => a(unkeyed), 200, true],
      ['its replay to a fresh container', () => container()(unkeyed), 409, false],
      ['pause', () => a({ action: 'pause' }), 200, true],
      ['resume', () => a({ action: 'resume' }), 200, true],
      ['abort', () => a({ action: 'abort' }), 200, true],
      ['retry', () => a({ action: 'retry' }), 200, true],
      ['promote-full', () => a({ action: 'promote-full' }), 200, true],
    ];
    const answers: string[] = [];
    const expected: string[] = [];
    for (const [path, send, status, persisted] of steps) {
      const before = (await j.rollout('reviews')).metadata.resourceVersion;
      const res = await send();
      const after = (await j.rollout('reviews')).metadata.resourceVersion;
      answers.push(`${path}: ${res.statusCode}${after === before ? '' : ' (rollout changed)'}`);
      expected.push(`${path}: ${status}${persisted ? ' (rollout changed)' : ''}`);
    }
    expect(answers).toEqual(expected);
  });
  it('the control loop: tick, step to Healthy, watch, drift report, status; no 403 anywhere', async () => {
    const sent: BusEvent[] = [];
    const deps: LoopDeps = {
      instanceId: INSTANCE,
      clusters: {
        names: () => [CLUSTER],
        gateway: async (c) => (c === CLUSTER ? recorder.gw : undefined),
        namespaces: () => (scoped ? [j.ns] : undefined),
      },
      bus: { send: async (events) => void sent.push(...events) },
      now: () => new Date(),
    };
    const ticked = await tick(deps, silentLogger);
    expect(ticked.failedClusters).toEqual([]);
    // Steps until Healthy (the last action above was promote-full), as the step function runs them.
    const deadline = Date.now() + 30_000;
    while ((await j.rollout('reviews')).status?.phase !== 'Healthy') {
      if (Date.now() > deadline)
        throw new Error(
          `not Healthy after 30 s: ${JSON.stringify((await j.rollout('reviews')).status?.conditions)}`,
        );
      await step(deps, { cluster: CLUSTER, namespace: j.ns, rollout: 'reviews' }, silentLogger);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The watch sees a foreign change of the VirtualService and reports it; the drift report puts it back.
    const controller = new AbortController();
    const counters = { changes: 0, driftEvents: 0, stepEvents: 0, relists: 0, errors: 0 };
    let started!: () => void;
    const ready = new Promise<void>((r) => (started = r));
    const watching = watchCluster(
      deps,
      CLUSTER,
      { memory: new Map(), counters, log: silentLogger, signal: controller.signal, refsTtlMs: 0 },
      started,
    );
    await ready;
    const drifted = async (): Promise<DriftDetail | undefined> =>
      sent
        .map((e) => e.detail as unknown as DriftDetail)
        .find(
          (d) =>
            d.kind === 'VirtualService' && d.name === 'reviews' && d.namespace === j.ns && sent.length > 0,
        );
    const vsPath = `/apis/networking.istio.io/v1/namespaces/${j.ns}/virtualservices/reviews`;
    const route = [
      { destination: { host: 'reviews-stable' }, weight: 50 },
      { destination: { host: 'reviews-canary' }, weight: 50 },
    ];
    const until = Date.now() + 15_000;
    let detail: DriftDetail | undefined;
    // A watch that has not listed yet misses nothing (it relists), so one foreign write is enough; it is repeated
    // only if the report has not come after a second (the first may have landed between list and watch).
    for (let n = 0; !(detail = await drifted()); n++) {
      if (Date.now() > until)
        throw new Error(`no drift reported for ${vsPath} after 15 s (${JSON.stringify(counters)})`);
      if (n % 20 === 0) await adminRequest('PATCH', vsPath, { spec: { http: [{ name: 'primary', route }] } });
      await new Promise((r) => setTimeout(r, 50));
    }
    controller.abort();
    await watching;
    const report = await driftReport(deps, { ...detail, cluster: CLUSTER }, silentLogger);
    expect('checked' in report && report.checked.some((c) => c.corrected)).toBe(true);
    const view = await describeRollout(recorder.gw, j.ns, 'reviews');
    expect(view?.name).toBe('reviews');
    expect({ forbidden: recorder.forbidden, watchErrors: counters.errors }).toEqual({
      forbidden: [],
      watchErrors: 0,
    });
  }, 90_000);
});
