/**
 * Parity: the same journeys against the real kube-apiserver and the sandbox's embedded fake API server
 * (`shared/runtimes/sandbox/`, in-process on loopback) give the same pass-by-pass log: step index, phase, weights, Service
 * selectors, DestinationRule labels, VirtualService specs, ReplicaSet replicas, Events, and every runStep result.
 * Pod-template hashes are not normalised: they must match. Only uids, resourceVersions and timestamps are.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clusterBackend, sandboxBackend, type JourneyBackend } from '../support/journey-backends.js';
import { startJourney, type Journey } from './harness.js';
import { hostSeed, IMAGE_V2, IMAGE_V3, routesSeed, subsetSeed, tcpSeed } from './fixtures.js';
import { Recorder, type LogEntry, type Watched } from './recorder.js';

const HOST: Watched = {
  rollout: 'reviews',
  virtualServices: [{ name: 'reviews' }],
  services: ['reviews-canary', 'reviews-stable'],
};
const SUBSET: Watched = {
  rollout: 'reviews',
  virtualServices: [{ name: 'reviews' }],
  services: ['reviews'],
  destinationRule: 'reviews',
};

interface Scenario {
  name: string;
  objects: () => unknown[];
  watched: Watched;
  /** The phase the journey ends in. */
  end: string;
  script: (rec: Recorder, j: Journey) => Promise<void>;
}

const newImage = (rec: Recorder, j: Journey) =>
  rec.change('set image v2', () => j.setImage('reviews', IMAGE_V2));

const SCENARIOS: Scenario[] = [
  {
    name: 'host-level: deploy, update, promote, timed pause, promotion, scale-down',
    objects: () => hostSeed(),
    watched: HOST,
    end: 'Healthy',
    async script(rec, j) {
      await rec.settle('initial deploy');
      await newImage(rec, j);
      await rec.settle('update');
      await rec.action('promote', 1);
      await rec.settle('after promote');
      rec.advance(3);
      await rec.settle('pause expired');
      rec.advance(31);
      await rec.settle('scale-down deadline passed');
    },
  },
  {
    name: 'subset-level: DestinationRule labels, promote --full',
    objects: () => subsetSeed(),
    watched: SUBSET,
    end: 'Healthy',
    async script(rec, j) {
      await rec.settle('initial deploy');
      await newImage(rec, j);
      await rec.settle('update');
      await rec.action('promote-full');
      await rec.settle('after promote-full');
    },
  },
  {
    name: 'abort and retry',
    objects: () => hostSeed(),
    watched: HOST,
    end: 'Paused',
    async script(rec, j) {
      await rec.settle('initial deploy');
      await newImage(rec, j);
      await rec.settle('update');
      await rec.action('abort', 1);
      await rec.settle('after abort');
      rec.advance(31);
      await rec.settle('abort scale-down deadline passed');
      await rec.action('retry');
      await rec.settle('after retry');
    },
  },
  {
    name: 'a TCP route, a third revision mid-rollout, then fast rollback to the stable template',
    objects: () => tcpSeed(),
    watched: HOST,
    end: 'Healthy',
    async script(rec, j) {
      await rec.settle('initial deploy');
      const stable = (await j.rollout('reviews')).spec.template;
      await newImage(rec, j);
      await rec.settle('update');
      await rec.change('set image v3', () => j.setImage('reviews', IMAGE_V3));
      await rec.settle('v3');
      await rec.change('back to the stable template', () =>
        j.patch('/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts/reviews', {
          spec: { template: stable },
        }),
      );
      await rec.settle('fast rollback');
      rec.advance(31);
      await rec.settle('scale-down deadline passed');
    },
  },
  {
    name: 'header and mirror routes with managedRoutes, a GitOps revert, promote --full',
    objects: () => routesSeed(),
    watched: HOST,
    end: 'Healthy',
    async script(rec, j) {
      await rec.settle('initial deploy');
      await newImage(rec, j);
      await rec.settle('update');
      await rec.change('GitOps revert of the VirtualService', () =>
        j.patch('/apis/networking.istio.io/v1/namespaces/{ns}/virtualservices/reviews', {
          spec: {
            http: [
              {
                name: 'primary',
                route: [
                  { destination: { host: 'reviews-stable', port: { number: 8080 } }, weight: 100 },
                  { destination: { host: 'reviews-canary', port: { number: 8080 } }, weight: 0 },
                ],
              },
            ],
          },
        }),
      );
      await rec.settle('after revert');
      await rec.action('promote', 2);
      await rec.settle('after promote at 2');
      await rec.action('promote', 5);
      await rec.settle('after promote at 5');
      await rec.action('promote-full');
      await rec.settle('after promote-full');
    },
  },
];

async function run(backend: JourneyBackend, scenario: Scenario, clockStartMs: number): Promise<LogEntry[]> {
  const j = await startJourney('parity', scenario.objects(), { backend, manualKubelet: true, clockStartMs });
  try {
    const rec = new Recorder(j, scenario.watched);
    await scenario.script(rec, j);
    return rec.log;
  } finally {
    await j.stop();
  }
}

describe('parity: the real API server and the embedded sandbox API give identical journeys', () => {
  let sandbox: JourneyBackend;
  beforeAll(async () => {
    sandbox = await sandboxBackend();
  });
  afterAll(async () => sandbox.close());

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const clockStartMs = Date.now();
    const [real, fake] = await Promise.all([
      run(clusterBackend(), scenario, clockStartMs),
      run(sandbox, scenario, clockStartMs),
    ]);
    expect(real.length).toBeGreaterThan(10);
    const last = real[real.length - 1]?.world as { status?: { phase?: string } } | undefined;
    expect(last?.status?.phase).toBe(scenario.end);
    // Entry by entry first, so a difference names the pass where the backends part ways.
    for (let i = 0; i < Math.max(real.length, fake.length); i++) {
      expect({ i, ...fake[i] }).toEqual({ i, ...real[i] });
    }
  });
});
