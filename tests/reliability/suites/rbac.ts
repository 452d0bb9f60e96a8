/**
 * Least privilege under fault: a rollout runs as a ServiceAccount bound to the sluice ClusterRole; mid-rollout the
 * rule for VirtualServices is removed from the ClusterRole. Progress stops with a 403 naming the object, nothing is
 * corrupted (the ledger holds, the step index does not move); restoring the rule resumes the rollout.
 */
import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import { runStep } from '../../../shared/app/step.js';
import { adminRequest } from '../../support/cluster.js';
import { manifestRules, serviceAccountKubeconfig, type PolicyRule } from '../../support/rbac.js';
import { figures } from '../support/figures.js';
import { atGate, drive, gatewayFrom, healthy, NAME, realNow, startScenario } from '../support/scenario.js';
import { IMAGE_V2 } from '../../journeys/fixtures.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';

/** The ClusterRole serviceAccountKubeconfig bound to `ns/name` (found through its ClusterRoleBinding). */
async function roleOf(ns: string, name: string): Promise<string> {
  const res = await adminRequest('GET', `${RBAC}/clusterrolebindings`);
  const b = (
    res.body.items as { roleRef: { name: string }; subjects?: { name: string; namespace?: string }[] }[]
  ).find((x) => x.subjects?.some((s) => s.name === name && s.namespace === ns));
  if (!b) throw new Error(`no ClusterRoleBinding for ${ns}/${name}`);
  return b.roleRef.name;
}

async function setRules(role: string, rules: PolicyRule[]): Promise<void> {
  const res = await adminRequest('PATCH', `${RBAC}/clusterroles/${role}`, { rules });
  if (res.status !== 200) throw new Error(`patch ClusterRole ${role}: HTTP ${res.status}`);
}

export function rbacSuite(): void {
  describe('least privilege under fault', () => {
    it('revoking VirtualService patch mid-rollout stops progress with a clear 403; restoring it resumes', async () => {
      const s = await startScenario('rbac-revoke');
      try {
        const sa = `sluice-${s.ns.slice(-8)}`;
        const kubeconfig = await serviceAccountKubeconfig({ namespace: s.ns, name: sa });
        const role = await roleOf(s.ns, sa);
        const rules = manifestRules();
        const gw = gatewayFrom(kubeconfig, { backoff: { baseMs: 5, capMs: 20 } });
        const deps = { gateway: gw, now: realNow };
        await drive(deps, s.ns, healthy);
        await adminRequest('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${s.ns}/rollouts/${NAME}`, {
          spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } },
        });
        // Let the new revision start (ReplicaSet created) before the permission goes.
        await drive(deps, s.ns, (r) => r.status?.currentStepIndex === 0, { exact: true });
        const revoked = rules.map((r) => ({
          ...r,
          verbs: r.resources.includes('virtualservices') ? ['get', 'list', 'watch'] : r.verbs,
        }));
        await setRules(role, revoked);
        // RBAC is informer-driven: wait until the 403 shows.
        let err: unknown;
        const before = (await s.rollout()).status?.currentStepIndex;
        for (let i = 0; i < 60 && !(err instanceof KubeApiError && err.code === 403); i++) {
          err = await runStep(deps, { namespace: s.ns, name: NAME }).then(
            () => undefined,
            (e: unknown) => e,
          );
          if (!err) await new Promise((r) => setTimeout(r, 100));
        }
        expect(err).toBeInstanceOf(KubeApiError);
        expect((err as KubeApiError).code).toBe(403);
        expect((err as Error).message).toMatch(
          new RegExp(`patch virtualservices.networking.istio.io ${s.ns}/reviews failed: 403`),
        );
        // Again: still refused, and the step index has not moved (no commit without its traffic change).
        await expect(runStep(deps, { namespace: s.ns, name: NAME })).rejects.toThrow(/403/);
        expect((await s.rollout()).status?.currentStepIndex).toBe(before);
        await setRules(role, rules);
        await drive(deps, s.ns, atGate, { timeoutMs: 30_000 });
        figures.fault(1, true);
      } finally {
        await s.stop();
      }
      figures.cover('F5');
    }, 90_000);
  });
}
