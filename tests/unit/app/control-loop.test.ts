import { describe, expect, it } from '@jest/globals';
import { step, tick } from '../../../shared/app/control-loop.js';
import type { BusEvent } from '../../../shared/app/contract.js';
import { createLogger } from '../../../shared/app/logger.js';
import type { LoopDeps } from '../../../shared/app/ports.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { MemoryGateway } from './memory-gateway.js';
import { NS, rollout } from './fixtures.js';
import type { KubeObject, Rollout } from '../../../shared/core/model/types.js';

const log = createLogger('error', {}, () => undefined);

function deps(gateways: Record<string, KubeGateway>, sent: BusEvent[]): LoopDeps {
  return {
    instanceId: 'sluice',
    clusters: { names: () => Object.keys(gateways), gateway: async (c) => gateways[c] },
    bus: { send: async (events) => void sent.push(...events) },
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
}

describe('the control loop tick', () => {
  it('lists clusters in parallel: a cluster that is slow to answer does not hold the next one back', async () => {
    const east = new MemoryGateway();
    east.put('rollouts', rollout());
    let eastListed: () => void = () => undefined;
    const eastCalled = new Promise<void>((resolve) => (eastListed = resolve));
    const listEast = east.list.bind(east);
    east.list = async (...a) => {
      eastListed();
      return listEast(...a);
    };
    const west = new MemoryGateway();
    // West answers only once east has been asked, and then fails: a sequential tick would never get there.
    west.list = async () => {
      await eastCalled;
      throw new Error('connection refused');
    };
    const sent: BusEvent[] = [];
    const result = await tick(deps({ west, east }, sent), log);
    expect(result).toMatchObject({ clusters: 2, rollouts: 1, due: 1, failedClusters: ['west'] });
    expect(result.perCluster).toEqual([
      { cluster: 'west', failed: 'connection refused' },
      { cluster: 'east', rollouts: 1, due: 1 },
    ]);
    expect(sent).toEqual([
      {
        detailType: 'sluice.step',
        detail: { cluster: 'east', namespace: NS, rollout: 'reviews' },
        reason: 'due: never reconciled',
      },
    ]);
  });
});

describe('the control loop tick and AnalysisRuns', () => {
  const NOW = Date.parse('2026-01-01T00:00:00Z');
  const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  function waiting(finishedSecondsAgo: number): MemoryGateway {
    const gw = new MemoryGateway();
    const r = rollout({
      observedGeneration: '1',
      currentPodHash: 'new',
      stableRS: 'old',
      currentStepIndex: 1,
      phase: 'Paused',
      canary: { currentStepAnalysisRunStatus: { name: 'reviews-new-2-1', status: 'Running' } },
    } as Rollout['status']);
    r.spec.strategy!.canary!.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 't' }] } },
    ];
    gw.put('rollouts', r);
    gw.put('analysisruns', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'reviews-new-2-1', namespace: NS },
      spec: { metrics: [{ name: 'm', interval: '60s', count: 3, provider: { web: { url: 'http://x' } } }] },
      status: {
        phase: 'Running',
        startedAt: ago(120),
        metricResults: [
          {
            name: 'm',
            phase: 'Running',
            count: 1,
            successful: 1,
            measurements: [
              {
                phase: 'Successful',
                startedAt: ago(finishedSecondsAgo),
                finishedAt: ago(finishedSecondsAgo),
              },
            ],
          },
        ],
      },
    } as unknown as KubeObject);
    return gw;
  }

  it('reads the run a Rollout waits on and sends no step before its next measurement is due', async () => {
    const gw = waiting(30);
    const sent: BusEvent[] = [];
    expect(await tick(deps({ east: gw }, sent), log)).toMatchObject({ rollouts: 1, due: 0 });
    expect(sent).toEqual([]);
    expect(gw.calls.filter((c) => c.resource === 'analysisruns')).toEqual([
      { verb: 'get', resource: 'analysisruns', namespace: NS, name: 'reviews-new-2-1' },
    ]);
  });

  it('sends the step once the measurement is due', async () => {
    const sent: BusEvent[] = [];
    expect(await tick(deps({ east: waiting(61) }, sent), log)).toMatchObject({ due: 1 });
    expect(sent.map((e) => e.reason)).toEqual(['due: AnalysisRun reviews-new-2-1: measurement due']);
  });
});

describe('the control loop step', () => {
  it('drops a request for an unknown cluster with the reason, sending and writing nothing', async () => {
    const east = new MemoryGateway();
    east.put('rollouts', rollout());
    const sent: BusEvent[] = [];
    const out = await step(
      deps({ east }, sent),
      { cluster: 'nowhere', namespace: NS, rollout: 'reviews' },
      log,
    );
    expect(out).toEqual({ skipped: 'unknown cluster nowhere' });
    expect(sent).toEqual([]);
    expect(east.writes()).toEqual([]);
  });
});
