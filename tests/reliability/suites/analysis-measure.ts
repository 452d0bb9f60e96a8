/**
 * Analysis measurements recorded exactly once (catalogue row C9): duplicate and concurrent measurement passes over
 * the same AnalysisRun, and a crash between the provider call and the status write, on the real kube-apiserver.
 * Each AnalysisRun is created as the engine creates it; the passes are the ones `runStep` makes (`measureRuns`).
 */
import { describe, expect, it } from '@jest/globals';
import type { AnalysisRun } from '../../../shared/core/analysis/types.js';
import type { ObservedAnalysis } from '../../../shared/core/engine/analysis.js';
import type { Rollout } from '../../../shared/core/model/types.js';
import { measureRuns } from '../../../shared/app/analysis-pass.js';
import { decorateGateway } from '../../../shared/app/kube-port/decorate.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { adminGateway } from '../../journeys/harness.js';
import { createNamespace } from '../../support/cluster.js';
import { FakeMetrics } from '../../support/fake-metrics.js';
import { figures } from '../support/figures.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');

async function seed(
  prefix: string,
): Promise<{ gw: KubeGateway; ns: string; rollout: Rollout; run: AnalysisRun }> {
  const ns = await createNamespace(prefix);
  const gw = adminGateway();
  const body = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'reviews-abc-2-1', namespace: ns, labels: { 'step-index': '1' } },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          count: 3,
          interval: '10s',
          successCondition: 'result >= 0.95',
          provider: { prometheus: { address: 'http://prom:9090', query: 'up' } },
        },
      ],
    },
  };
  const run = (await gw.create('analysisruns', ns, body as never)) as unknown as AnalysisRun;
  const rollout = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'reviews', namespace: ns },
    spec: {},
    status: { canary: { currentStepAnalysisRunStatus: { name: 'reviews-abc-2-1', status: '' } } },
  } as Rollout;
  return { gw, ns, rollout, run };
}

const observed = (run: AnalysisRun): ObservedAnalysis => ({
  runs: [structuredClone(run)],
  templates: [],
  clusterTemplates: [],
});

async function stored(gw: KubeGateway, ns: string): Promise<AnalysisRun> {
  return (await gw.get('analysisruns', ns, 'reviews-abc-2-1')) as unknown as AnalysisRun;
}

const measurements = (run: AnalysisRun): number => run.status?.metricResults?.[0]?.measurements?.length ?? 0;

export function analysisMeasureSuite(): void {
  describe('analysis measurements', () => {
    figures.cover('C9');
    it('a duplicate pass on the same read records nothing more; a pass on a fresh read finds nothing due', async () => {
      const { gw, ns, rollout, run } = await seed('an-dup');
      const metrics = new FakeMetrics(() => new Date(T0));
      const deps = { gateway: gw, cluster: 'test', metrics, now: () => new Date(T0) };
      const first = await measureRuns(deps, rollout, observed(run));
      const duplicate = await measureRuns(deps, rollout, observed(run));
      expect(first).toMatchObject({ written: ['reviews-abc-2-1'], measured: 1, conflicts: 0 });
      expect(duplicate).toMatchObject({ written: [], measured: 1, conflicts: 1 });
      const after = await stored(gw, ns);
      const again = await measureRuns(deps, rollout, observed(after));
      expect(again).toMatchObject({ written: [], measured: 0 });
      expect(again.nextDue).toBe(T0 + 10_000);
      const recorded = measurements(await stored(gw, ns));
      figures.measurementRace(recorded === 1);
      expect(recorded).toBe(1);
      expect((await stored(gw, ns)).status?.metricResults?.[0]).toMatchObject({ count: 1, successful: 1 });
    });

    it.each([2, 6])('%i concurrent passes record the measurement once (one write wins)', async (n) => {
      const { gw, ns, rollout, run } = await seed(`an-conc-${n}`);
      const metrics = new FakeMetrics(() => new Date(T0));
      const deps = { gateway: gw, cluster: 'test', metrics, now: () => new Date(T0) };
      const results = await Promise.all(
        Array.from({ length: n }, () => measureRuns(deps, rollout, observed(run))),
      );
      expect(results.filter((r) => r.written.length === 1)).toHaveLength(1);
      expect(results.reduce((k, r) => k + r.conflicts, 0)).toBe(n - 1);
      expect(metrics.calls).toHaveLength(n);
      const recorded = measurements(await stored(gw, ns));
      figures.measurementRace(recorded === 1);
      expect(recorded).toBe(1);
    });

    it('a crash between the provider call and the status write loses nothing and records once on the next pass', async () => {
      const { gw, ns, rollout, run } = await seed('an-crash');
      let writes = 0;
      const crashing = decorateGateway(gw, {
        around: async (req, send) => {
          if (req.write && req.resource === 'analysisruns') {
            writes++;
            throw new Error('crash: the invocation died before its status write');
          }
          return send(gw);
        },
      });
      const metrics = new FakeMetrics(() => new Date(T0));
      const now = (): Date => new Date(T0);
      await expect(
        measureRuns({ gateway: crashing, cluster: 'test', metrics, now }, rollout, observed(run)),
      ).rejects.toThrow(/crash/);
      expect(writes).toBe(1);
      expect(metrics.calls).toHaveLength(1);
      const untouched = await stored(gw, ns);
      expect(untouched.metadata['resourceVersion']).toBe(run.metadata['resourceVersion']);
      expect(measurements(untouched)).toBe(0);
      const next = await measureRuns(
        { gateway: gw, cluster: 'test', metrics, now },
        rollout,
        observed(untouched),
      );
      expect(next).toMatchObject({ written: ['reviews-abc-2-1'], measured: 1 });
      const recorded = measurements(await stored(gw, ns));
      figures.crash(recorded === 1);
      figures.measurementRace(recorded === 1);
      expect(recorded).toBe(1);
    });
  });
}
