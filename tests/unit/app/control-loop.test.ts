import { describe, expect, it } from '@jest/globals';
import { step, tick } from '../../../shared/app/control-loop.js';
import type { BusEvent } from '../../../shared/app/contract.js';
import { createLogger } from '../../../shared/app/logger.js';
import type { LoopDeps } from '../../../shared/app/ports.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { MemoryGateway } from './memory-gateway.js';
import { NS, rollout } from './fixtures.js';

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
