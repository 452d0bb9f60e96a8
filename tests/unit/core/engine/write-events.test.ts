import { describe, expect, it } from '@jest/globals';
import { plan, plannedEvents } from '../../../../shared/core/engine/plan.js';
import type { EventRecord, Plan, ResourceName } from '../../../../shared/core/engine/types.js';
import { World } from './support/fixtures.js';
import { drive } from './support/drive.js';

/** Which write each write-describing Event rides; every other Event stays with the status commit. */
const RIDES: Record<string, ResourceName> = {
  NewReplicaSetCreated: 'replicasets',
  RolloutUpdated: 'replicasets',
  ScalingReplicaSet: 'replicasets',
  SwitchService: 'services',
  UpdatedDestinationRule: 'destinationrules',
  'Updated VirtualService': 'virtualservices',
};

const KINDS = ['host', 'subset', 'tcp'] as const;

const text = (e: EventRecord): string => `${e.reason}: ${e.message}`;
const onWrites = (p: Plan): string[] => p.effects.flatMap((w) => (w.events ?? []).map(text));

/** The plans of a deploy, an update to a new image, and its full promotion. */
function wholeUpdate(kind: (typeof KINDS)[number]): Plan[] {
  const w = new World(kind);
  const plans = [...drive(w).plans];
  w.updateImage('demo:2');
  plans.push(...drive(w).plans);
  w.setStatus({ promoteFull: true });
  plans.push(...drive(w).plans);
  return plans;
}

describe('Events that describe a write ride that write (Write.events)', () => {
  it.each(KINDS)(
    '%s: over a whole update, each such Event rides its write and no other Event does',
    (kind) => {
      const plans = wholeUpdate(kind);
      const ridden = plans.flatMap((p) =>
        p.effects.flatMap((w) => (w.events ?? []).map((e) => [e.reason, w.target.resource])),
      );
      expect(ridden.length).toBeGreaterThan(0);
      expect(ridden.filter(([reason, resource]) => RIDES[reason as string] !== resource)).toEqual([]);
      const committed = plans.flatMap((p) => p.events.map((e) => e.reason));
      expect(committed.filter((reason) => reason in RIDES)).toEqual([]);
      // The transition's Events are still there: they stay with the commit.
      expect(committed).toEqual(expect.arrayContaining(['RolloutStepCompleted', 'RolloutCompleted']));
    },
  );

  it.each([
    {
      kind: 'subset' as const,
      resource: 'destinationrules',
      reasons: ['UpdatedDestinationRule'],
    },
    { kind: 'subset' as const, resource: 'virtualservices', reasons: ['Updated VirtualService'] },
    { kind: 'host' as const, resource: 'services', reasons: ['SwitchService'] },
    { kind: 'host' as const, resource: 'virtualservices', reasons: ['Updated VirtualService'] },
    { kind: 'host' as const, resource: 'replicasets', reasons: ['NewReplicaSetCreated', 'RolloutUpdated'] },
  ])('$kind: the $resource write of the update carries $reasons', ({ kind, resource, reasons }) => {
    const w = new World(kind);
    drive(w);
    w.updateImage('demo:2');
    const writes = drive(w).plans.flatMap((p) => p.effects.filter((e) => e.target.resource === resource));
    const carried = writes.flatMap((e) => (e.events ?? []).map((ev) => ev.reason));
    expect(carried).toEqual(expect.arrayContaining(reasons));
  });

  it('the initial deploy: the ReplicaSet create carries created, scaled, updated; the commit carries not completed, completed', () => {
    const p = plan(new World('host').observed());
    expect(p.effects.map((w) => (w.events ?? []).map((e) => e.reason))).toEqual([
      ['NewReplicaSetCreated', 'ScalingReplicaSet', 'RolloutUpdated'],
    ]);
    expect(p.events.map((e) => e.reason)).toEqual(['RolloutNotCompleted', 'RolloutCompleted']);
    expect(plannedEvents(p).map((e) => e.reason)).toEqual([
      'NewReplicaSetCreated',
      'ScalingReplicaSet',
      'RolloutUpdated',
      'RolloutNotCompleted',
      'RolloutCompleted',
    ]);
  });

  it('a setWeight step: the writes Events come before the transition Events in plannedEvents', () => {
    const w = new World('subset');
    drive(w);
    w.updateImage('demo:2');
    const p = drive(w).plans.find((x) => x.transition === 'step-completed');
    expect(p).toBeDefined();
    const all = plannedEvents(p as Plan).map((e) => e.reason);
    expect(all.indexOf('Updated VirtualService')).toBeGreaterThanOrEqual(0);
    expect(all.indexOf('Updated VirtualService')).toBeLessThan(all.indexOf('RolloutStepCompleted'));
    expect(all.indexOf('Updated VirtualService')).toBeLessThan(all.indexOf('TrafficWeightUpdated'));
  });
});

describe('a commit lost after the writes landed', () => {
  it.each(KINDS)(
    '%s: every pass re-planned after its writes landed without its commit plans none of their Events again, and the same transition Events',
    (kind) => {
      const w = new World(kind);
      drive(w);
      w.updateImage('demo:2');
      let races = 0;
      for (let i = 0; i < 30; i++) {
        const p = plan(w.observed());
        if (p.effects.length === 0 && p.status === undefined) break;
        w.apply({ ...p, status: undefined }); // the writes landed, the commit lost its race
        const again = plan(w.observed());
        const landed = new Set(onWrites(p));
        if (landed.size > 0) races++;
        expect(
          plannedEvents(again)
            .map(text)
            .filter((e) => landed.has(e)),
        ).toEqual([]);
        expect(again.events.map(text)).toEqual(p.events.map(text));
        w.apply(again);
        w.settle();
      }
      expect(races).toBeGreaterThan(2);
    },
  );
});
