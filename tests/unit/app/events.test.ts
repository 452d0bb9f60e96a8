import { describe, it, expect } from '@jest/globals';
import { buildEvent, recordEvent } from '../../../shared/app/events.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import type { KubeObject, Rollout } from '../../../shared/core/model/types.js';

const rollout = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'reviews', namespace: 'shop', uid: 'u-1', resourceVersion: '42' },
  spec: {},
} as unknown as Rollout;
const now = new Date('2026-01-02T03:04:05.678Z');

describe('buildEvent', () => {
  it('builds a core/v1 Event on the Rollout as the client-go recorder does', () => {
    const ev = buildEvent(
      rollout,
      {
        type: 'Normal',
        reason: 'RolloutStepCompleted',
        message: 'Rollout step 1/3 completed (setWeight: 10)',
      },
      now,
      255,
    );
    expect(ev).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `reviews.${(BigInt(now.getTime()) * 1_000_000n + 255n).toString(16)}`,
        namespace: 'shop',
      },
      involvedObject: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'reviews',
        namespace: 'shop',
        uid: 'u-1',
        resourceVersion: '42',
      },
      type: 'Normal',
      reason: 'RolloutStepCompleted',
      message: 'Rollout step 1/3 completed (setWeight: 10)',
      source: { component: 'sluice' },
      reportingComponent: 'sluice',
      reportingInstance: 'sluice',
      firstTimestamp: '2026-01-02T03:04:05Z',
      lastTimestamp: '2026-01-02T03:04:05Z',
      count: 1,
    });
    expect(ev.metadata.name).toMatch(/^reviews\.[0-9a-f]+$/);
  });
});

describe('recordEvent', () => {
  const existing: KubeObject[] = [];
  function fakeGateway(failFirstWith?: KubeApiError) {
    const created: KubeObject[] = [];
    let calls = 0;
    const gw = {
      create: async (_r: string, _ns: string, body: KubeObject) => {
        calls++;
        if (calls === 1 && failFirstWith) throw failFirstWith;
        created.push(body);
        return body;
      },
      get: async (_r: string, _ns: string, name: string) => existing.find((e) => e.metadata.name === name),
    } as unknown as KubeGateway;
    return { gw, created, calls: () => calls };
  }
  const ev = {
    type: 'Warning' as const,
    reason: 'RolloutAborted',
    message: 'Rollout aborted update to revision 2',
  };

  it('returns the existing Event when a retried create had already landed (recorded once)', async () => {
    const conflict = new KubeApiError(
      { verb: 'create', resource: 'events', namespace: 'shop' },
      409,
      'AlreadyExists',
      'exists',
    );
    const f = fakeGateway(conflict);
    // The first attempt landed (its answer was lost): the API holds exactly the Event being created.
    const landed = buildEvent(rollout, ev, now, 7);
    existing.push(landed);
    const realCreate = f.gw.create.bind(f.gw);
    (f.gw as { create: unknown }).create = async (r: string, ns: string, body: KubeObject) => {
      body.metadata.name = landed.metadata.name;
      return realCreate(r as never, ns, body);
    };
    const out = await recordEvent(f.gw, rollout, ev, now);
    expect(out).toBe(landed);
    expect(f.created).toHaveLength(0);
  });

  it('retries once with a fresh name when another Event has the name', async () => {
    const f = fakeGateway(
      new KubeApiError(
        { verb: 'create', resource: 'events', namespace: 'shop' },
        409,
        'AlreadyExists',
        'exists',
      ),
    );
    await recordEvent(f.gw, rollout, ev, now);
    expect(f.calls()).toBe(2);
    expect(f.created).toHaveLength(1);
  });

  it('surfaces other failures', async () => {
    const f = fakeGateway(
      new KubeApiError({ verb: 'create', resource: 'events', namespace: 'shop' }, 403, 'Forbidden', 'no'),
    );
    await expect(recordEvent(f.gw, rollout, ev, now)).rejects.toThrow(
      'create events shop/* failed: 403 Forbidden: no',
    );
    expect(f.calls()).toBe(1);
  });
});
