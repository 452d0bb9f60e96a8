import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { PAUSE_TIMER_SLACK_MS } from '../../../../shared/core/engine/pass.js';
import { LABELS, type KubeObject } from '../../../../shared/core/model/types.js';
import { NS, World, virtualService, weightsOf } from './support/fixtures.js';
import { drive, messages } from './support/drive.js';

const subsetHash = (dr: KubeObject | undefined, name: string) =>
  (dr?.spec as { subsets: { name: string; labels?: Record<string, string> }[] }).subsets.find(
    (s) => s.name === name,
  )?.labels?.[LABELS.podTemplateHash];
const replicasOf = (w: World, hash: string | undefined) =>
  w.replicaSets.find((rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === hash)?.spec.replicas;

function updated(kind: 'host' | 'subset' | 'tcp', steps?: ConstructorParameters<typeof World>[1]) {
  const w = new World(kind, steps);
  drive(w);
  const rev1 = w.rollout.status?.stableRS as string;
  w.updateImage('demo:2');
  const d = drive(w);
  return { w, rev1, rev2: w.rollout.status?.currentPodHash as string, d };
}

describe('subset-level split (one Service + DestinationRule subsets)', () => {
  it('labels the subsets rev1/rev1, then rev1/rev2 at 75/25, then rev2/rev2 at 100/0, keeping other DR fields', () => {
    const { w, rev1, rev2, d } = updated('subset');
    expect(subsetHash(w.destinationRule, 'stable')).toBe(rev1);
    expect(subsetHash(w.destinationRule, 'canary')).toBe(rev2);
    expect(weightsOf(w.vs())).toEqual({ stable: 75, canary: 25 });
    expect(messages(d.events, 'UpdatedDestinationRule')).toEqual([
      `DestinationRule demo-dr subset updated (canary: ${rev2}, stable: ${rev1})`,
    ]);
    expect(w.services['demo']?.spec?.selector).toEqual({ app: 'demo' });
    w.setStatus({ promoteFull: true });
    drive(w);
    expect(w.rollout.status?.stableRS).toBe(rev2);
    expect(subsetHash(w.destinationRule, 'stable')).toBe(rev2);
    expect(subsetHash(w.destinationRule, 'canary')).toBe(rev2);
    expect(weightsOf(w.vs())).toEqual({ stable: 100, canary: 0 });
    const stableSubset = (w.destinationRule?.spec as { subsets: { trafficPolicy?: unknown }[] }).subsets[1];
    expect(stableSubset?.trafficPolicy).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' } });
  });

  it('keeps the canary weight at 0 while the new canary ReplicaSet has no available pod', () => {
    const w = new World('subset');
    drive(w);
    w.updateImage('demo:2');
    drive(w, { settle: false });
    // the canary RS exists with 0 pods: weight 0, the canary subset may point at it already
    const p = plan(w.observed());
    expect(p.effects.filter((e) => e.target.resource === 'virtualservices')).toEqual([]);
    expect(weightsOf(w.vs())).toEqual({ stable: 100, canary: 0 });
  });
});

describe('TCP route', () => {
  it('moves the weights of the matched tcp route', () => {
    const { w, rev2 } = updated('tcp');
    expect(weightsOf(w.vs(), 'tcp')).toEqual({ 'demo-stable': 75, 'demo-canary': 25 });
    expect(w.services['demo-canary']?.spec?.selector?.[LABELS.podTemplateHash]).toBe(rev2);
  });
});

describe('abort, retry, promote-full, fast rollback, new revision mid-rollout', () => {
  it('abort sends all traffic to stable, points the canary Service at stable pods, and scales the canary down later', () => {
    const { w, rev1, rev2 } = updated('host');
    w.setStatus({ abort: true });
    const d = drive(w);
    const s = w.rollout.status;
    expect(messages(d.events, 'RolloutAborted')).toEqual(['Rollout aborted update to revision 2']);
    expect(s?.phase).toBe('Degraded');
    expect(s?.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
    expect(s?.currentStepIndex).toBe(0);
    expect(s?.abortedAt).toBe('2026-01-01T00:00:00Z');
    expect(s?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
    });
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 100, 'demo-canary': 0 });
    expect(w.services['demo-canary']?.spec?.selector?.[LABELS.podTemplateHash]).toBe(rev1);
    expect(replicasOf(w, rev2)).toBe(1);
    w.now = new Date(w.now.getTime() + 31_000);
    drive(w);
    expect(replicasOf(w, rev2)).toBe(0);

    w.setStatus({ abort: false });
    const r = drive(w);
    expect(w.rollout.status?.abortedAt).toBeUndefined();
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    expect(messages(r.events, 'RolloutStepCompleted')).toEqual([
      'Rollout step 1/4 completed (setWeight: 25)',
    ]);
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 75, 'demo-canary': 25 });
  });

  it('promote-full skips the remaining steps and promotes with reason "Full promotion requested"', () => {
    const { w, rev2 } = updated('host');
    w.setStatus({ promoteFull: true });
    const d = drive(w);
    expect(messages(d.events, 'RolloutCompleted')).toEqual([
      `Rollout completed update to revision 2 (${rev2}): Full promotion requested`,
    ]);
    expect(w.rollout.status?.promoteFull).toBeUndefined();
    expect(w.rollout.status?.stableRS).toBe(rev2);
  });

  it('a template equal to the stable ReplicaSet skips all steps (fast rollback)', () => {
    const { w, rev1 } = updated('host');
    w.updateImage('demo:1');
    const p = plan(w.observed());
    expect(p.transition).toBe('fast-rollback');
    expect(p.status?.currentStepIndex).toBe(4);
    // Paused at step 2: the reset clears the pause (Argo records RolloutResumed), then skips every step.
    expect(p.events.map((e) => e.reason)).toEqual(['RolloutResumed', 'SkipSteps']);
    // The stable ReplicaSet is current again and, as Argo renumbers it, the newest revision: 3, its old revision
    // kept in revision-history; the Rollout's revision annotation follows it.
    expect(p.effects).toEqual([
      expect.objectContaining({
        op: 'patch',
        target: { resource: 'replicasets', namespace: 'shop', name: `demo-${rev1}` },
        patch: [
          expect.objectContaining({ op: 'test' }),
          { op: 'replace', path: '/metadata/annotations/rollout.argoproj.io~1revision', value: '3' },
          { op: 'add', path: '/metadata/annotations/rollout.argoproj.io~1revision-history', value: '1' },
        ],
        events: [
          expect.objectContaining({ reason: 'RolloutUpdated', message: 'Rollout updated to revision 3' }),
        ],
      }),
      expect.objectContaining({
        op: 'patch',
        target: { resource: 'rollouts', namespace: 'shop', name: 'demo' },
        patch: [
          expect.objectContaining({ op: 'test' }),
          { op: 'replace', path: '/metadata/annotations/rollout.argoproj.io~1revision', value: '3' },
        ],
      }),
    ]);
    drive(w);
    expect(w.rollout.status?.phase).toBe('Healthy');
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 100, 'demo-canary': 0 });
    expect(w.services['demo-canary']?.spec?.selector?.[LABELS.podTemplateHash]).toBe(rev1);
  });

  it('a third revision mid-rollout resets the steps and retires the intermediate canary', () => {
    const { w, rev1, rev2 } = updated('host');
    w.updateImage('demo:3');
    const p = plan(w.observed());
    expect(p.transition).toBe('new-revision');
    expect(p.status?.pauseConditions).toBeUndefined();
    drive(w);
    const rev3 = w.rollout.status?.currentPodHash;
    expect(new Set([rev1, rev2, rev3]).size).toBe(3);
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    expect(w.services['demo-canary']?.spec?.selector?.[LABELS.podTemplateHash]).toBe(rev3);
    w.now = new Date(w.now.getTime() + 31_000);
    drive(w);
    expect(replicasOf(w, rev2)).toBe(0);
    expect(replicasOf(w, rev1)).toBe(4);
  });
});

describe('spec.paused, timed pause, two VirtualServices, header and mirror routes', () => {
  it('spec.paused halts steps and scaling', () => {
    const w = new World('host');
    drive(w);
    w.updateImage('demo:2');
    w.rollout.spec.paused = true;
    const d = drive(w);
    expect(w.rollout.status?.currentStepIndex).toBe(0);
    expect(w.rollout.status?.phase).toBe('Paused');
    expect(
      d.plans
        .flatMap((p) => p.effects)
        .filter((e) => e.target.resource === 'replicasets' && e.op === 'patch'),
    ).toEqual([]);
  });

  it('a timed pause completes only after its duration', () => {
    const w = new World('host', [{ setWeight: 10 }, { pause: { duration: 60 } }, { setWeight: 20 }]);
    drive(w);
    w.updateImage('demo:2');
    const started = w.now.getTime();
    const d = drive(w);
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    // The pass that starts the pause wakes just past its exact end (the slack covers its commit's latency); a later
    // one a second past the recorded end (the recorded start is rounded down to the second), so neither ends the
    // pause before its 60 s.
    expect(d.plans.find((p) => p.transition === 'paused')?.wakeAt).toBe(
      new Date(started + 60_000 + PAUSE_TIMER_SLACK_MS).toISOString(),
    );
    expect(d.plans.find((p) => p.transition === 'paused')?.wakeFromCommit).toBe(true);
    expect(d.last.wakeFromCommit).toBeUndefined(); // one second past the recorded end: absolute
    expect(PAUSE_TIMER_SLACK_MS).toBeGreaterThan(0);
    expect(PAUSE_TIMER_SLACK_MS).toBeLessThan(1000);
    const recordedEnd = Date.parse(w.rollout.status?.pauseConditions?.[0]?.startTime ?? '') + 60_000;
    expect(d.last.wakeAt).toBe(new Date(recordedEnd + 1_000).toISOString());
    expect(d.last.requeueAfterSeconds).toBe(61);
    w.now = new Date(w.now.getTime() + 30_000);
    expect(drive(w).last.requeueAfterSeconds).toBe(31);
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    w.now = new Date(w.now.getTime() + 31_000);
    drive(w);
    expect(w.rollout.status?.stableRS).toBe(w.rollout.status?.currentPodHash);
  });

  // The pause's start is recorded rounded down to the second (as Argo records it); its true start is within the
  // second after. Which passes end a 60 s pause, by what started them (ms after the recorded end).
  it.each([
    ['a schedule tick or watch event, just past the recorded end', undefined, 1, false, 1_000],
    ['a schedule tick or watch event, 999 ms past the recorded end', undefined, 999, false, 1_000],
    ['a schedule tick or watch event, a second past the recorded end', undefined, 1_000, true, undefined],
    [
      "the pause's own timer (set for 400 ms past the recorded end), running at its time",
      400,
      400,
      true,
      undefined,
    ],
    ['a timer set for the recorded end exactly', 0, 10, true, undefined],
    ['an older timer, set before the recorded end, running just past it', -5_000, 10, false, 1_000],
  ])('a 60 s pause and %s', (_what, wokenAfterEnd, nowAfterEnd, ends, wakesAfterEnd) => {
    const w = new World('host', [{ setWeight: 10 }, { pause: { duration: 60 } }, { setWeight: 20 }]);
    drive(w);
    w.updateImage('demo:2');
    w.now = new Date(w.now.getTime() + 700); // a start 700 ms into its second
    drive(w);
    const recordedEnd = Date.parse(w.rollout.status?.pauseConditions?.[0]?.startTime ?? '') + 60_000;
    const observed = w.observed();
    observed.now = new Date(recordedEnd + nowAfterEnd);
    if (wokenAfterEnd !== undefined) observed.wokenAt = new Date(recordedEnd + wokenAfterEnd);
    const p = plan(observed);
    expect(p.status?.currentStepIndex === 2).toBe(ends);
    if (wakesAfterEnd !== undefined)
      expect(p.wakeAt).toBe(new Date(recordedEnd + wakesAfterEnd).toISOString());
  });

  it('a 0 s pause ends at the first pass after the one that started it, with no timer and no clock move', () => {
    const w = new World('host', [{ setWeight: 10 }, { pause: { duration: '0s' } }, { setWeight: 20 }]);
    drive(w);
    w.updateImage('demo:2');
    w.now = new Date(w.now.getTime() + 700);
    const d = drive(w);
    expect(d.plans.some((p) => p.transition === 'paused')).toBe(true);
    expect(w.rollout.status?.currentStepIndex).toBe(3);
  });

  it('writes weights into two VirtualServices, one in another namespace that opts in', () => {
    const w = new World('host');
    w.rollout.spec.strategy!.canary!.trafficRouting!.istio = {
      virtualServices: [
        { name: 'demo-vs', routes: ['primary'] },
        { name: 'edge-vs.gateways', routes: ['primary'] },
      ],
    };
    // In another namespace: it opts in for this Rollout and names the Services with their namespace.
    const edge = virtualService('host', 'edge-vs', 'gateways');
    edge.metadata.annotations = { 'sluice.io/allow-rollouts': `${NS}/${w.rollout.metadata.name}` };
    const http = (edge.spec as { http: { route: { destination: { host: string } }[] }[] }).http;
    for (const d of http[0]!.route) d.destination.host = `${d.destination.host}.${NS}.svc.cluster.local`;
    w.virtualServices['gateways/edge-vs'] = edge;
    drive(w);
    w.updateImage('demo:2');
    const d = drive(w);
    expect(weightsOf(w.vs())).toEqual({ 'demo-stable': 75, 'demo-canary': 25 });
    expect(weightsOf(w.vs('gateways/edge-vs'))).toEqual({
      [`demo-stable.${NS}.svc.cluster.local`]: 75,
      [`demo-canary.${NS}.svc.cluster.local`]: 25,
    });
    const targets = d.plans.flatMap((p) => p.effects).filter((e) => e.target.resource === 'virtualservices');
    expect(new Set(targets.map((e) => `${e.target.namespace}/${e.target.name}`))).toEqual(
      new Set([`${NS}/demo-vs`, 'gateways/edge-vs']),
    );
  });

  it('sets a header route on its step, keeps it on later steps, and removes it at promotion', () => {
    const w = new World('host', [
      { setWeight: 20 },
      { setHeaderRoute: { name: 'hdr', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } },
      { pause: {} },
    ]);
    w.rollout.spec.strategy!.canary!.trafficRouting!.managedRoutes = [{ name: 'hdr' }];
    drive(w);
    w.updateImage('demo:2');
    const d = drive(w);
    const http = (w.vs().spec as { http: { name?: string; route: unknown[] }[] }).http;
    expect(http.map((r) => r.name)).toEqual(['hdr', 'primary']);
    expect(weightsOf(w.vs(), 'http', 0)).toEqual({ 'demo-canary': 100 });
    expect(messages(d.events, 'Updated VirtualService')).toContain(
      "VirtualService `demo-vs` set headerRoute 'hdr'",
    );
    // a GitOps revert removes the route: the next pass puts it back
    w.virtualServices[`${NS}/demo-vs`] = { ...w.vs(), spec: { ...(w.vs().spec as object), http: [http[1]] } };
    drive(w);
    expect((w.vs().spec as { http: { name?: string }[] }).http.map((r) => r.name)).toEqual([
      'hdr',
      'primary',
    ]);
    w.setStatus({ pauseConditions: null });
    drive(w);
    expect((w.vs().spec as { http: { name?: string }[] }).http.map((r) => r.name)).toEqual(['primary']);
    expect(w.rollout.status?.phase).toBe('Healthy');
  });

  it('a mirror route follows the canary weight', () => {
    const w = new World('host', [
      { setWeight: 20 },
      { setMirrorRoute: { name: 'mirror', percentage: 50, match: [{ method: { exact: 'GET' } }] } },
      { setWeight: 40 },
      { pause: {} },
    ]);
    w.rollout.spec.strategy!.canary!.trafficRouting!.managedRoutes = [{ name: 'mirror' }];
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    const http = (w.vs().spec as { http: { name?: string; mirrorPercentage?: unknown }[] }).http;
    expect(http.map((r) => r.name)).toEqual(['mirror', 'primary']);
    expect(http[0]?.mirrorPercentage).toEqual({ value: 50 });
    expect(weightsOf(w.vs(), 'http', 0)).toEqual({ 'demo-stable': 60, 'demo-canary': 40 });
    expect(weightsOf(w.vs(), 'http', 1)).toEqual({ 'demo-stable': 60, 'demo-canary': 40 });
  });
});
