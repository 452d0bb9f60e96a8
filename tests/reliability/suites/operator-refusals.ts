/**
 * Operator actions that cannot apply (catalogue row A12), through the promote HTTP API handler on the real cluster:
 * an action on an aborted or a finished rollout gets 409 with the reason, an unknown rollout, namespace or cluster
 * gets 404; none of them writes anything (recording gateway, resourceVersion and the ledger's rejection check).
 */
import { describe, expect, it } from '@jest/globals';
import { applyOperatorAction } from '../../../shared/app/actions.js';
import { recordingGateway } from '../../support/faults/recording-gateway.js';
import { figures } from '../support/figures.js';
import { callPromoteApi } from '../support/promote-api.js';
import {
  atGate,
  deployThenUpdate,
  drive,
  healthy,
  NAME,
  realNow,
  startScenario,
  type Scenario,
} from '../support/scenario.js';

interface Refusal {
  what: string;
  where: { cluster?: string; namespace?: string; name?: string; action: string };
  status: number;
  message: RegExp;
}

const ABORTED: Refusal[] = [
  {
    what: 'promote an aborted rollout',
    where: { action: 'promote' },
    status: 409,
    message: /is aborted: retry it/,
  },
  {
    what: 'promote an aborted rollout at a stale step',
    where: { action: 'promote' },
    status: 409,
    message: /not at the expected step 1/,
  },
];

const FINISHED: Refusal[] = [
  {
    what: 'promote a finished rollout',
    where: { action: 'promote' },
    status: 409,
    message: /fully promoted/,
  },
  {
    what: 'promote-full a finished rollout',
    where: { action: 'promote-full' },
    status: 409,
    message: /fully promoted/,
  },
  {
    what: 'abort a finished rollout',
    where: { action: 'abort' },
    status: 409,
    message: /no update to abort/,
  },
  {
    what: 'an unknown rollout',
    where: { name: 'nope', action: 'promote' },
    status: 404,
    message: /not found/,
  },
  {
    what: 'an unknown namespace',
    where: { namespace: 'no-such-namespace', action: 'abort' },
    status: 404,
    message: /not found/,
  },
  {
    what: 'an unknown cluster',
    where: { cluster: 'elsewhere', action: 'promote' },
    status: 404,
    message: /unknown cluster/,
  },
];

async function refuse(s: Scenario, r: Refusal, wrong: string[]): Promise<void> {
  const rvBefore = (await s.rollout()).metadata.resourceVersion;
  const rec = recordingGateway(s.admin);
  s.ledger.rejection(r.what, () => rec.calls);
  const body = r.what.includes('stale') ? { expectedStep: 1 } : { reason: 'reliability' };
  const res = await callPromoteApi(
    rec.gw,
    {
      namespace: r.where.namespace ?? s.ns,
      name: r.where.name ?? NAME,
      action: r.where.action,
      ...(r.where.cluster ? { cluster: r.where.cluster } : {}),
    },
    body,
  );
  const rvAfter = (await s.rollout()).metadata.resourceVersion;
  const right =
    res.statusCode === r.status &&
    r.message.test(res.json.message ?? '') &&
    rec.acceptedWrites().length === 0 &&
    rec.writes() === 0 &&
    rvAfter === rvBefore;
  figures.badInput(right);
  if (!right)
    wrong.push(
      `${r.what}: ${res.statusCode} ${res.json.message} writes=${rec.writes()} rv ${rvBefore}->${rvAfter}`,
    );
}

export function operatorRefusalSuite(): void {
  describe('operator actions that cannot apply', () => {
    it('aborted or finished rollout: 409 with the reason; unknown rollout, namespace or cluster: 404; zero writes', async () => {
      const s = await startScenario('refusals');
      const wrong: string[] = [];
      try {
        await deployThenUpdate(s);
        await drive({ gateway: s.admin, now: realNow }, s.ns, atGate);
        const act = (action: 'abort' | 'retry' | 'promote-full') =>
          applyOperatorAction(
            { gateway: s.admin, now: realNow },
            { namespace: s.ns, name: NAME, action, actor: 'test' },
          );
        expect((await act('abort')).ok).toBe(true);
        await drive({ gateway: s.admin, now: realNow }, s.ns, (r) => r.status?.abort === true);
        for (const r of ABORTED) await refuse(s, r, wrong);
        expect((await act('retry')).ok).toBe(true);
        expect((await act('promote-full')).ok).toBe(true);
        await drive({ gateway: s.admin, now: realNow }, s.ns, healthy);
        for (const r of FINISHED) await refuse(s, r, wrong);
      } finally {
        await s.stop();
      }
      figures.cover('A12');
      expect(wrong).toEqual([]);
    }, 60_000);
  });
}
