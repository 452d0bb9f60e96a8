/** Timers in the control loop: when a pass asks for one, how a timer travels, and what a delivered one does. */
import { describe, expect, it } from '@jest/globals';
import { fireTimer } from '../../../shared/app/control-loop.js';
import type { BusEvent, StepDetail } from '../../../shared/app/contract.js';
import { createLogger } from '../../../shared/app/logger.js';
import type { LoopDeps } from '../../../shared/app/ports.js';
import type { StepResult } from '../../../shared/app/step.js';
import { parseTimerBody, requeueAt } from '../../../shared/app/timers.js';
import { MemoryGateway } from './memory-gateway.js';
import { NS, rollout } from './fixtures.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const log = createLogger('error', {}, () => undefined);

const result = (r: Partial<StepResult>): StepResult => ({
  rollout: `${NS}/reviews`,
  outcome: 'ran',
  writes: 0,
  reason: 'paused',
  followUp: false,
  ...r,
});

describe('requeueAt', () => {
  it.each<{ title: string; r: StepResult; at: string | undefined }>([
    {
      title: 'a fixpoint pass asking for 30 s',
      r: result({ requeueAfterSeconds: 30 }),
      at: '2026-01-01T00:00:30.000Z',
    },
    { title: 'a pass asking for nothing', r: result({}), at: undefined },
    {
      title: 'a pass that wrote (its follow-up asks for itself)',
      r: result({ requeueAfterSeconds: 5, writes: 1, followUp: true }),
      at: undefined,
    },
    {
      title: 'a fixpoint pass with an exact wake-up: that time, not whole seconds from now',
      r: result({ requeueAfterSeconds: 31, wakeAt: '2026-01-01T00:00:30.250Z' }),
      at: '2026-01-01T00:00:30.250Z',
    },
    {
      title: 'the pass that started a timed pause (it alone knows the start to the millisecond)',
      r: result({
        requeueAfterSeconds: 10,
        wakeAt: '2026-01-01T00:00:10.000Z',
        writes: 1,
        followUp: true,
        transition: 'paused',
      }),
      at: '2026-01-01T00:00:10.000Z',
    },
    {
      title: 'another write (its follow-up asks for itself)',
      r: result({
        requeueAfterSeconds: 5,
        wakeAt: '2026-01-01T00:00:05.000Z',
        followUp: true,
        transition: 'step-completed',
      }),
      at: undefined,
    },
    { title: 'a stale pass', r: result({ requeueAfterSeconds: 5, outcome: 'stale' }), at: undefined },
    { title: 'no such Rollout', r: result({ requeueAfterSeconds: 5, outcome: 'not-found' }), at: undefined },
  ])('$title', ({ r, at }) => {
    expect(requeueAt(r, NOW)?.toISOString()).toBe(at);
  });
});

describe('parseTimerBody', () => {
  const detail: StepDetail = { cluster: 'east', namespace: NS, rollout: 'reviews', expectedStep: 3 };
  it('reads a timer', () => {
    const body = JSON.stringify({ detail, at: '2026-01-01T00:00:30.000Z', reason: 'requeue after 30s' });
    expect(parseTimerBody(body)).toEqual({
      detail,
      at: '2026-01-01T00:00:30.000Z',
      reason: 'requeue after 30s',
    });
  });
  it.each<{ title: string; body: string; error: string }>([
    { title: 'not JSON', body: '{', error: 'timer message is not JSON' },
    {
      title: 'no detail',
      body: JSON.stringify({ at: NOW.toISOString() }),
      error: 'cluster must be a string',
    },
    { title: 'no time', body: JSON.stringify({ detail }), error: 'at must be an ISO time' },
    { title: 'a bad time', body: JSON.stringify({ detail, at: 'soon' }), error: 'at must be an ISO time' },
  ])('refuses $title', ({ body, error }) => {
    expect(() => parseTimerBody(body)).toThrow(error);
  });
});

describe('fireTimer', () => {
  function deps(gateway: MemoryGateway, armed: [StepDetail, Date, string][], sent: BusEvent[]): LoopDeps {
    return {
      instanceId: 'sluice',
      clusters: { names: () => ['east'], gateway: async (c) => (c === 'east' ? gateway : undefined) },
      bus: { send: async (events) => void sent.push(...events) },
      timers: { at: async (d, at, reason) => void armed.push([d, at, reason]) },
      now: () => NOW,
    };
  }
  const detail: StepDetail = { cluster: 'east', namespace: NS, rollout: 'reviews', expectedStep: 1 };

  it('arms an early timer again for the rest of its wait, without a pass', async () => {
    const gw = new MemoryGateway();
    gw.put('rollouts', rollout());
    const armed: [StepDetail, Date, string][] = [];
    const sent: BusEvent[] = [];
    const at = '2026-01-01T00:15:00.000Z';
    const out = await fireTimer(deps(gw, armed, sent), { detail, at, reason: 'pause end' }, log);
    expect(out).toEqual({ rearmed: at });
    expect(armed).toEqual([[detail, new Date(at), 'pause end']]);
    expect(gw.calls.length).toBe(0);
    expect(sent).toEqual([]);
  });

  it('waits out a timer that came less than its bound early, then runs its pass at its time', async () => {
    const gw = new MemoryGateway();
    gw.put('rollouts', rollout());
    const armed: [StepDetail, Date, string][] = [];
    const at = new Date(NOW.getTime() + 300).toISOString();
    const started = Date.now();
    const out = await fireTimer(deps(gw, armed, []), { detail, at, reason: 'pause end' }, log, 1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    expect(out).toMatchObject({ rollout: `${NS}/reviews` });
    expect(armed).toEqual([]);
    expect(gw.calls.length).toBeGreaterThan(0);
  });

  it('arms again, without a pass, a timer that came earlier than its bound', async () => {
    const gw = new MemoryGateway();
    gw.put('rollouts', rollout());
    const armed: [StepDetail, Date, string][] = [];
    const at = new Date(NOW.getTime() + 1_001).toISOString();
    const out = await fireTimer(deps(gw, armed, []), { detail, at, reason: 'pause end' }, log, 1_000);
    expect(out).toEqual({ rearmed: at });
    expect(armed).toEqual([[detail, new Date(at), 'pause end']]);
    expect(gw.calls.length).toBe(0);
  });

  it('runs the step of a due timer', async () => {
    const gw = new MemoryGateway();
    gw.put('rollouts', rollout());
    const armed: [StepDetail, Date, string][] = [];
    const out = await fireTimer(
      deps(gw, armed, []),
      { detail, at: NOW.toISOString(), reason: 'pause end' },
      log,
    );
    expect(out).toMatchObject({ rollout: `${NS}/reviews` });
    expect(gw.calls.length).toBeGreaterThan(0);
  });
});
