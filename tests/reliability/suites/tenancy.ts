/**
 * Tenancy on the real API server (catalogue row O4): a Rollout in namespace A tries to make sluice change objects
 * that are not its own (another namespace's VirtualService, kube-system, a subset name on another host, another
 * Rollout's Service or DestinationRule, a route that also carries another team's traffic, a drift pass after the
 * other namespace withdrew its opt-in). Each is InvalidSpec with a message naming the object, no write but the
 * Rollout's own status and Events, and the resourceVersions of every other object unchanged; counted as
 * "cross-tenant writes tried / refused". The allowed case (a VirtualService in B that opts in) runs to its gate.
 */
import { describe, expect, it } from '@jest/globals';
import { correctDrift } from '../../../shared/app/drift.js';
import { runStep } from '../../../shared/app/step.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import type { KubeObject } from '../../../shared/core/model/types.js';
import { adminRequest, applyObjects, createNamespace } from '../../support/cluster.js';
import { recordingGateway, type CallRecord } from '../../support/faults/recording-gateway.js';
import { hostRollout, hostVirtualService, service } from '../../journeys/fixtures.js';
import { figures } from '../support/figures.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  NAME,
  realNow,
  startScenario,
  STEPS,
  type Scenario,
} from '../support/scenario.js';

const ALLOW = 'sluice.io/allow-rollouts';
const CLAIM = 'argo-rollouts.argoproj.io/managed-by-rollouts';
type Dest = { destination: { host: string; subset?: string }; weight: number };

/** A VirtualService named `name` with one `primary` route over `route`, annotated when `allow` is given. */
function vs(name: string, route: Dest[], allow?: string): KubeObject {
  const base = hostVirtualService(name) as KubeObject;
  if (allow !== undefined) base.metadata.annotations = { [ALLOW]: allow };
  (base.spec as { http: { route: Dest[] }[] }).http[0]!.route = route;
  return base;
}
const hostRoute = (stable: string, canary: string): Dest[] => [
  { destination: { host: stable }, weight: 100 },
  { destination: { host: canary }, weight: 0 },
];
const fqdnRoute = (ns: string): Dest[] =>
  hostRoute(`reviews-stable.${ns}.svc.cluster.local`, `reviews-canary.${ns}.svc.cluster.local`);
const rolloutNaming = (vsName: string): object =>
  hostRollout({
    steps: STEPS,
    canary: { trafficRouting: { istio: { virtualService: { name: vsName, routes: ['primary'] } } } },
  });
const claimed = (name: string, by: string): object => ({
  ...service(name),
  metadata: { name, annotations: { [CLAIM]: by } },
});
function subsetObjects(route: Dest[], drAnnotations?: Record<string, string>): object[] {
  const rollout = hostRollout({ steps: STEPS }) as {
    spec: { strategy: { canary: Record<string, unknown> } };
  };
  rollout.spec.strategy.canary = {
    steps: STEPS,
    trafficRouting: {
      istio: {
        virtualService: { name: 'web', routes: ['primary'] },
        destinationRule: { name: 'reviews', canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
    },
  };
  const dr = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', ...(drAnnotations ? { annotations: drAnnotations } : {}) },
    spec: { host: 'reviews', subsets: [{ name: 'canary' }, { name: 'stable' }] },
  };
  return [service('reviews'), service('payments'), dr, vs('web', route), rollout];
}

/** Where the objects of one attack go: the Rollout's namespace A, another namespace B, kube-system. */
interface Placement {
  a: object[];
  b?: object[];
  kubeSystem?: object[];
}
type Attack = {
  name: string;
  place: (ns: { a: string; b: string; ks: string }) => Placement;
  message: RegExp;
};

const own = [service('reviews-canary'), service('reviews-stable')];
const ATTACKS: Attack[] = [
  {
    name: "another namespace's VirtualService, no opt-in",
    place: ({ b }) => ({
      a: [...own, rolloutNaming(`web.${b}`)],
      b: [...own, vs('web', hostRoute('reviews-stable', 'reviews-canary'))],
    }),
    message: /VirtualService \S+\/web is in another namespace that has not opted in for Rollout/,
  },
  {
    name: 'a VirtualService in kube-system',
    place: ({ a, ks }) => ({
      a: [...own, rolloutNaming(`${ks}.kube-system`)],
      kubeSystem: [vs(ks, fqdnRoute(a))],
    }),
    message: /VirtualService kube-system\/\S+ is in another namespace that has not opted in/,
  },
  {
    name: 'another namespace opted in for another Rollout',
    place: ({ a, b }) => ({
      a: [...own, rolloutNaming(`web.${b}`)],
      b: [vs('web', fqdnRoute(a), `${a}/cart`)],
    }),
    message: /has not opted in for Rollout/,
  },
  {
    name: "an opted-in VirtualService whose short hosts are the other namespace's Services",
    place: ({ a, b }) => ({
      a: [...own, rolloutNaming(`web.${b}`)],
      b: [...own, vs('web', hostRoute('reviews-stable', 'reviews-canary'), `${a}/${NAME}`)],
    }),
    message: /destination "reviews-stable" is not this Rollout's Service/,
  },
  {
    name: "its own VirtualService routing to the other namespace's Services",
    place: ({ b }) => ({ a: [...own, vs('web', fqdnRoute(b)), rolloutNaming('web')], b: [...own] }),
    message: /destination "reviews-stable\.\S+\.svc\.cluster\.local" is not this Rollout's Service/,
  },
  {
    name: 'subset names matched on another host',
    place: () => ({
      a: subsetObjects([
        { destination: { host: 'payments', subset: 'stable' }, weight: 100 },
        { destination: { host: 'payments', subset: 'canary' }, weight: 0 },
      ]),
    }),
    message: /destination "payments" subset "stable" is not on the DestinationRule's host "reviews"/,
  },
  {
    name: 'a DestinationRule claimed by another Rollout',
    place: () => ({
      a: subsetObjects(
        [
          { destination: { host: 'reviews', subset: 'stable' }, weight: 100 },
          { destination: { host: 'reviews', subset: 'canary' }, weight: 0 },
        ],
        { [CLAIM]: 'cart' },
      ),
    }),
    message: /DestinationRule \S+\/reviews is managed by another Rollout \("cart"\)/,
  },
  {
    name: "another Rollout's Service",
    place: () => ({
      a: [
        service('reviews-canary'),
        claimed('reviews-stable', 'cart'),
        vs('web', hostRoute('reviews-stable', 'reviews-canary')),
        rolloutNaming('web'),
      ],
    }),
    message: /Service "reviews-stable" is managed by another Rollout/,
  },
  {
    name: "a weighted route that also carries another team's traffic",
    place: () => ({
      a: [
        ...own,
        service('payments'),
        vs('web', [
          { destination: { host: 'reviews-stable' }, weight: 50 },
          { destination: { host: 'reviews-canary' }, weight: 0 },
          { destination: { host: 'payments' }, weight: 50 },
        ]),
        rolloutNaming('web'),
      ],
    }),
    message: /destination "payments" \(weight 50\) is not this Rollout's; the route is not changed/,
  },
];

/** Every object of the kinds sluice writes, `ns/kind/name` → resourceVersion (the Rollout itself left out). */
async function versions(
  gw: KubeGateway,
  namespaces: string[],
  extra: [string, string][] = [],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ns of namespaces)
    for (const kind of ['services', 'virtualservices', 'destinationrules', 'replicasets'] as const)
      for (const o of (await gw.list(kind, ns)).items)
        out.set(`${ns}/${kind}/${o.metadata.name}`, o.metadata.resourceVersion ?? '');
  for (const [ns, name] of extra) {
    const o = await gw.get('virtualservices', ns, name);
    out.set(`${ns}/virtualservices/${name}`, o?.metadata.resourceVersion ?? 'missing');
  }
  return out;
}

const headless = (o: object): object => {
  const obj = o as { kind?: string; spec?: object };
  return obj.kind === 'Service' ? { ...obj, spec: { ...obj.spec, clusterIP: 'None' } } : o;
};

/** Writes other than the Rollout's own status and Events: each one is a cross-tenant write that got through. */
const foreignWrites = (calls: CallRecord[]): CallRecord[] =>
  calls.filter(
    (c) =>
      c.ok &&
      ['create', 'patch', 'mergePatch', 'delete'].includes(c.verb) &&
      c.resource !== 'events' &&
      c.resource !== 'rollouts',
  );

/** Runs two passes as the schedule would; true when refused as required. Prints why when not. */
async function refusedTwice(
  s: Scenario,
  label: string,
  message: RegExp,
  before: () => Promise<Map<string, string>>,
): Promise<boolean> {
  const was = await before();
  const rec = recordingGateway(s.admin);
  const first = await runStep({ gateway: rec.gw, now: realNow }, { namespace: s.ns, name: NAME });
  // The refusal is recorded (InvalidSpec status and Event); from here on nothing at all is written.
  s.ledger.rejection(label, () => rec.calls);
  const second = await runStep({ gateway: rec.gw, now: realNow }, { namespace: s.ns, name: NAME });
  const cond = (await s.rollout()).status?.conditions?.find((c) => c.type === 'InvalidSpec');
  const now = await before();
  const changed = [...was].filter(([k, v]) => now.get(k) !== v).map(([k]) => k);
  const ok =
    first.transition === 'invalid-spec' &&
    second.writes === 0 &&
    cond?.status === 'True' &&
    message.test(cond.message ?? '') &&
    foreignWrites(rec.calls).length === 0 &&
    changed.length === 0;
  if (!ok)
    process.stderr.write(
      `${label}: ${first.transition} ${second.writes} ${cond?.message} ${JSON.stringify(foreignWrites(rec.calls))} changed ${changed.join(',')}\n`,
    );
  return ok;
}

export function tenancySuite(): void {
  describe('a Rollout changes only what is its own', () => {
    it.each(ATTACKS)(
      '$name: InvalidSpec naming the object, zero writes, every other resourceVersion unchanged',
      async (attack) => {
        const b = await createNamespace('tenant-b');
        const ks = `web-${b.slice(-8)}`;
        const s = await startScenario(`tenant-a-${attack.name.replace(/\W+/g, '-').slice(0, 20)}`, []);
        let ok = false;
        try {
          const placed = attack.place({ a: s.ns, b, ks });
          await applyObjects(s.ns, placed.a.map(headless));
          if (placed.b) await applyObjects(b, placed.b.map(headless));
          if (placed.kubeSystem) await applyObjects('kube-system', placed.kubeSystem);
          const extra: [string, string][] = placed.kubeSystem ? [['kube-system', ks]] : [];
          ok = await refusedTwice(s, attack.name, attack.message, () => versions(s.admin, [s.ns, b], extra));
        } finally {
          await adminRequest(
            'DELETE',
            `/apis/networking.istio.io/v1/namespaces/kube-system/virtualservices/${ks}`,
          );
          await s.stop();
        }
        figures.crossTenant(ok);
        figures.cover('O4');
        expect(ok).toBe(true);
      },
      60_000,
    );

    it.each([
      ['by name', (a: string) => `${a}/${NAME}`],
      ['for the namespace', (a: string) => `${a}/*`],
    ])(
      'a VirtualService in another namespace that opts in %s is weighted; once it withdraws, a drift pass leaves its fix alone',
      async (_how, allow) => {
        const b = await createNamespace('tenant-b');
        const s = await startScenario('tenant-a-allowed', []);
        let ok = false;
        try {
          await applyObjects(s.ns, [...own, rolloutNaming(`web.${b}`)].map(headless));
          await applyObjects(b, [vs('web', fqdnRoute(s.ns), allow(s.ns))]);
          const deps = { gateway: s.admin, now: realNow };
          await deployThenUpdate(s);
          await drive(deps, s.ns, atGate, { timeoutMs: 30_000 });
          const weighted = (await s.admin.get('virtualservices', b, 'web')) as KubeObject;
          const weights = (weighted.spec as { http: { route: Dest[] }[] }).http[0]!.route.map(
            (d) => d.weight,
          );
          expect(weights).toEqual([50, 50]);
          // B withdraws the opt-in and puts its own weights back: no pass of A's Rollout may revert that.
          const fix = await adminRequest(
            'PATCH',
            `/apis/networking.istio.io/v1/namespaces/${b}/virtualservices/web`,
            {
              metadata: { annotations: { [ALLOW]: null } },
              spec: { http: [{ name: 'primary', route: fqdnRoute(s.ns) }] },
            },
          );
          expect(fix.status).toBe(200);
          const rec = recordingGateway(s.admin);
          const was = await versions(s.admin, [b]);
          const { entry } = await correctDrift(
            { gateway: rec.gw, now: realNow },
            { kind: 'VirtualService', namespace: b, name: 'web' },
            await s.rollout(),
          );
          s.ledger.rejection('drift after the opt-in was withdrawn', () => rec.calls);
          const again = await runStep({ gateway: rec.gw, now: realNow }, { namespace: s.ns, name: NAME });
          const cond = (await s.rollout()).status?.conditions?.find((c) => c.type === 'InvalidSpec');
          const now = await versions(s.admin, [b]);
          ok =
            !entry.corrected &&
            again.writes === 0 &&
            foreignWrites(rec.calls).length === 0 &&
            [...was].every(([k, v]) => now.get(k) === v) &&
            /has not opted in for Rollout/.test(cond?.message ?? '');
          if (!ok)
            process.stderr.write(`drift after withdrawal: ${JSON.stringify(entry)} ${cond?.message}\n`);
        } finally {
          await s.stop();
        }
        figures.crossTenant(ok);
        figures.cover('O4');
        expect(ok).toBe(true);
      },
      90_000,
    );
  });
}
