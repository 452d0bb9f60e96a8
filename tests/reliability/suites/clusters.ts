/**
 * Two clusters, one unreachable (catalogue row F7), through the schedule and step functions: `east` is the real API
 * server, `west` a gateway whose server is a closed loopback port (its Rollout lives in another namespace of the
 * same API server, so the test can prove nothing was written to it). The schedule reports `west` as failed every
 * minute and still emits `east`'s events; `east` goes on to its gate; a `west` step event fails its invocation (so
 * EventBridge retries it) without a single write.
 */
import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { Context, EventBridgeEvent, ScheduledEvent } from 'aws-lambda';
import { createScheduleHandler, type ScheduleResult } from '../../../functions/schedule/handler.js';
import { createStepHandler } from '../../../functions/step/handler.js';
import type { BusEvent } from '../../../shared/app/contract.js';
import { readConfig } from '../../../shared/runtimes/lambda/config.js';
import type { FunctionDeps } from '../../../shared/runtimes/lambda/deps.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { decorateGateway } from '../../../shared/app/kube-port/decorate.js';
import { LABELS } from '../../../shared/core/model/types.js';
import { hostSeed } from '../../journeys/fixtures.js';
import { clusterInfo } from '../../support/cluster.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import { atGate, deployThenUpdate, gatewayFrom, NAME, startScenario, STEPS } from '../support/scenario.js';

const INSTANCE = `rel-multi-${process.pid}`;
const context = { awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** A loopback port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

const labelled = (objects: unknown[]): unknown[] =>
  objects.map((o) => {
    const obj = o as { kind: string; metadata: { labels?: Record<string, string> } };
    return obj.kind === 'Rollout'
      ? {
          ...obj,
          metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [LABELS.instanceId]: INSTANCE } },
        }
      : o;
  });

/** `gw` restricted to one namespace: cluster-wide lists return that namespace's items only. */
function onlyNamespace(gw: KubeGateway, ns: string): KubeGateway {
  return decorateGateway(gw, {
    overrides: {
      list: (resource, namespace, o) => gw.list(resource, namespace ?? ns, o),
      watch: (resource, namespace, ...a) => gw.watch(resource, namespace ?? ns, ...a),
    },
  });
}

export function clusterSuite(): void {
  describe('two clusters, one unreachable', () => {
    it('the healthy cluster goes on to its gate, the unreachable one is reported every tick and gets no write', async () => {
      const east = await startScenario('multi-east', labelled(hostSeed({ steps: STEPS })));
      const west = await startScenario('multi-west', labelled(hostSeed({ steps: STEPS })));
      let survived = false;
      const logs: string[] = [];
      try {
        await deployThenUpdate(east);
        await deployThenUpdate(west);
        const westRv = (await west.rollout()).metadata.resourceVersion;
        const westVersions = west.ledger.count();
        const port = await closedPort();
        const down = recordingGateway(
          gatewayFrom(
            clusterInfo().kubeconfigYaml.replace(
              /server: https:\/\/[^\s]+/,
              `server: https://127.0.0.1:${port}`,
            ),
          ),
        );
        // Both namespaces live on one API server: east's view lists only east's namespace, as a cluster of its own.
        const up = recordingGateway(onlyNamespace(east.admin, east.ns));
        const sent: BusEvent[] = [];
        const deps = async (): Promise<FunctionDeps> => ({
          config: readConfig({
            SLUICE_CLUSTERS: JSON.stringify([
              { name: 'east', kubeconfigSecret: 'unused' },
              { name: 'west', kubeconfigSecret: 'unused' },
            ]),
            SLUICE_EVENT_BUS: 'bus',
            SLUICE_INSTANCE_ID: INSTANCE,
            SLUICE_WEBHOOK_SECRET_ID:
              'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice/webhook-abcdef',
          }),
          clusters: {
            names: () => ['east', 'west'],
            gateway: async (n) => (n === 'east' ? up.gw : n === 'west' ? down.gw : undefined),
          },
          bus: { send: async (events) => void sent.push(...events) },
          now: () => new Date(),
          webhookSecrets: async () => [],
        });
        const sink = (line: string): void => void logs.push(line);
        const schedule = createScheduleHandler(deps, { sink });
        const step = createStepHandler(deps, { sink });
        const deliver = (e: BusEvent): Promise<unknown> =>
          step(
            {
              id: 'e',
              'detail-type': e.detailType,
              source: 'sluice',
              detail: e.detail,
            } as unknown as EventBridgeEvent<string, unknown>,
            context,
          );
        const ticks: ScheduleResult[] = [];
        const westFailures: string[] = [];
        const deadline = Date.now() + 40_000;
        while (!atGate(await east.rollout()) && Date.now() < deadline) {
          ticks.push((await schedule({} as ScheduledEvent, context)) as ScheduleResult);
          // A west event queued before the outage: its invocation fails (EventBridge retries it), nothing is written.
          await deliver({
            detailType: 'sluice.step',
            detail: { cluster: 'west', namespace: west.ns, rollout: NAME },
          }).then(
            () => westFailures.push('no error'),
            (err: Error) => westFailures.push(err.message),
          );
          // Each east event and its follow-ups, as EventBridge would deliver them.
          while (sent.length > 0) {
            const e = sent.shift() as BusEvent;
            if (e.detailType === 'sluice.step') await deliver(e);
          }
        }
        expect(atGate(await east.rollout())).toBe(true);
        expect(ticks.length).toBeGreaterThan(0);
        for (const t of ticks) expect(t.failedClusters).toEqual(['west']);
        expect(ticks[0]?.due).toBeGreaterThan(0);
        expect(logs.some((l) => l.includes('cluster skipped') && l.includes('west'))).toBe(true);
        expect(westFailures.length).toBe(ticks.length);
        expect(westFailures.every((m) => /rollouts.* failed: network/.test(m))).toBe(true);
        expect(down.acceptedWrites()).toEqual([]);
        expect(down.calls.every((c) => !c.ok)).toBe(true);
        expect((await west.rollout()).metadata.resourceVersion).toBe(westRv);
        await west.ledger.settle();
        expect(west.ledger.count()).toBe(westVersions);
        survived = true;
      } finally {
        await east.stop();
        await west.stop();
        figures.fault(1, survived);
      }
      figures.cover('F7');
    }, 90_000);
  });
}
