/**
 * The in-process dispatch of `sluice run` (shared/runtimes/local/queue.ts): requests for a waiting Rollout are merged, at
 * most one pass per Rollout is in flight, and close() finishes the passes in flight and drops the waiting ones.
 */
import { describe, expect, it } from '@jest/globals';
import { RolloutQueue, type RolloutJob } from '../../shared/runtimes/local/queue.js';

const ref = (name: string) => ({ cluster: 'c', namespace: 'ns', name });

/** A runner whose passes end when released; records every job and the peak concurrency per Rollout. */
function gatedRunner() {
  const jobs: RolloutJob[] = [];
  const open = new Map<string, number>();
  let peakPerRollout = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  const run = async (job: RolloutJob): Promise<void> => {
    jobs.push(structuredClone(job));
    open.set(job.name, (open.get(job.name) ?? 0) + 1);
    peakPerRollout = Math.max(peakPerRollout, open.get(job.name) ?? 0);
    peak = Math.max(
      peak,
      [...open.values()].reduce((a, b) => a + b, 0),
    );
    await new Promise<void>((r) => gates.push(r));
    open.set(job.name, (open.get(job.name) ?? 1) - 1);
  };
  const releaseAll = async (): Promise<void> => {
    while (gates.length > 0) gates.shift()?.();
    await new Promise((r) => setTimeout(r, 5));
  };
  return { run, jobs, releaseAll, peaks: () => ({ peakPerRollout, peak }) };
}

describe('RolloutQueue', () => {
  it('merges requests for a Rollout that is waiting, keeping every reason and drifted object once', async () => {
    const r = gatedRunner();
    const q = new RolloutQueue(r.run, { concurrency: 1 });
    q.push({ ...ref('blocker'), reason: 'due' });
    q.push({ ...ref('reviews'), reason: 'due: spec changed', expectedStep: 1 });
    q.push({ ...ref('reviews'), reason: 'due: spec changed', expectedStep: 1 });
    q.push({
      ...ref('reviews'),
      reason: 'VirtualService ns/reviews changed',
      drift: { kind: 'VirtualService', namespace: 'ns', name: 'reviews' },
    });
    q.push({
      ...ref('reviews'),
      reason: 'VirtualService ns/reviews changed',
      drift: { kind: 'VirtualService', namespace: 'ns', name: 'reviews' },
    });
    expect(q.waiting).toBe(1);
    await r.releaseAll();
    await r.releaseAll();
    await q.idle();
    expect(r.jobs.map((j) => j.name)).toEqual(['blocker', 'reviews']);
    expect(r.jobs[1]).toEqual({
      ...ref('reviews'),
      reasons: ['due: spec changed', 'VirtualService ns/reviews changed'],
      drifts: [{ kind: 'VirtualService', namespace: 'ns', name: 'reviews' }],
      step: true,
    });
  });

  it('keeps a pinned step only while every merged request agrees on it', async () => {
    const r = gatedRunner();
    const q = new RolloutQueue(r.run, { concurrency: 1 });
    q.push({ ...ref('blocker'), reason: 'due' });
    q.push({ ...ref('a'), reason: 'follow-up', expectedStep: 2 });
    q.push({ ...ref('a'), reason: 'operator action', expectedStep: 2 });
    q.push({ ...ref('b'), reason: 'follow-up', expectedStep: 2 });
    q.push({ ...ref('b'), reason: 'operator action', expectedStep: 3 });
    for (let i = 0; i < 3; i++) await r.releaseAll();
    await q.idle();
    expect(r.jobs.find((j) => j.name === 'a')?.expectedStep).toBe(2);
    expect(r.jobs.find((j) => j.name === 'b')).not.toHaveProperty('expectedStep');
  });

  it('keeps the latest time a merged timer was set for, and none when no timer asked', async () => {
    const r = gatedRunner();
    const q = new RolloutQueue(r.run, { concurrency: 1 });
    q.push({ ...ref('blocker'), reason: 'due' });
    q.push({ ...ref('a'), reason: 'timer', wokenAt: new Date(5_000) });
    q.push({ ...ref('a'), reason: 'watch event' });
    q.push({ ...ref('a'), reason: 'timer', wokenAt: new Date(9_000) });
    q.push({ ...ref('a'), reason: 'timer', wokenAt: new Date(7_000) });
    q.push({ ...ref('b'), reason: 'watch event' });
    for (let i = 0; i < 3; i++) await r.releaseAll();
    await q.idle();
    expect(r.jobs.find((j) => j.name === 'a')?.wokenAt).toEqual(new Date(9_000));
    expect(r.jobs.find((j) => j.name === 'b')).not.toHaveProperty('wokenAt');
  });

  it('runs one pass per Rollout at a time: a request during a pass runs after it', async () => {
    const r = gatedRunner();
    const q = new RolloutQueue(r.run, { concurrency: 4 });
    q.push({ ...ref('reviews'), reason: 'first' });
    q.push({ ...ref('ratings'), reason: 'first' });
    await new Promise((res) => setTimeout(res, 5));
    q.push({ ...ref('reviews'), reason: 'second' });
    expect(q.running).toBe(2);
    expect(q.waiting).toBe(1);
    for (let i = 0; i < 3; i++) await r.releaseAll();
    await q.idle();
    expect(r.jobs.map((j) => `${j.name}:${j.reasons.join(',')}`)).toEqual([
      'reviews:first',
      'ratings:first',
      'reviews:second',
    ]);
    expect(r.peaks()).toEqual({ peakPerRollout: 1, peak: 2 });
  });

  it('close() waits for the passes in flight, drops the waiting requests and ignores new ones', async () => {
    const r = gatedRunner();
    const q = new RolloutQueue(r.run, { concurrency: 1 });
    q.push({ ...ref('a'), reason: 'due' });
    q.push({ ...ref('b'), reason: 'due' });
    let closed = false;
    const closing = q.close().then((dropped) => ((closed = true), dropped));
    q.push({ ...ref('c'), reason: 'due' });
    await new Promise((res) => setTimeout(res, 5));
    expect(closed).toBe(false);
    await r.releaseAll();
    expect(await closing).toBe(1);
    expect(r.jobs.map((j) => j.name)).toEqual(['a']);
  });

  it('reports a failed pass and keeps serving the Rollout', async () => {
    const errors: string[] = [];
    let calls = 0;
    const q = new RolloutQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('API down');
      },
      { onError: (job, err) => errors.push(`${job.name}: ${(err as Error).message}`) },
    );
    q.push({ ...ref('reviews'), reason: 'due' });
    await q.idle();
    q.push({ ...ref('reviews'), reason: 'due' });
    await q.idle();
    expect(errors).toEqual(['reviews: API down']);
    expect(calls).toBe(2);
  });
});
