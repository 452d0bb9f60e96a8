import { describe, expect, it } from '@jest/globals';
import { plan, plannedEvents } from '../../../../shared/core/engine/plan.js';
import { ANNOTATIONS, LABELS } from '../../../../shared/core/model/types.js';
import { drive } from './support/drive.js';
import { World } from './support/fixtures.js';

const replicasOf = (w: World, hash: string | undefined) =>
  w.replicaSets.find((rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === hash)?.spec.replicas;

/** Three promoted revisions within the scale-down delay: rev1 and rev2 are old, rev3 is stable. */
function threeRevisions(limit: number | undefined): { w: World; revs: string[] } {
  const w = new World('host');
  if (limit !== undefined) w.rollout.spec.strategy!.canary!.scaleDownDelayRevisionLimit = limit;
  drive(w);
  const revs = [w.rollout.status?.stableRS as string];
  for (const image of ['demo:2', 'demo:3']) {
    w.updateImage(image);
    drive(w);
    w.setStatus({ promoteFull: true });
    drive(w);
    revs.push(w.rollout.status?.stableRS as string);
  }
  return { w, revs };
}

describe('scaleDownDelayRevisionLimit', () => {
  it.each<{ title: string; limit: number | undefined; rev1: number; rev2: number }>([
    { title: 'unset keeps every old ReplicaSet until its deadline', limit: undefined, rev1: 4, rev2: 4 },
    { title: '2 keeps both old ReplicaSets', limit: 2, rev1: 4, rev2: 4 },
    {
      title: '1 keeps the newest old ReplicaSet and scales the older one to 0 at once',
      limit: 1,
      rev1: 0,
      rev2: 4,
    },
    { title: '0 scales every old ReplicaSet to 0 at once', limit: 0, rev1: 0, rev2: 0 },
  ])('$title', ({ limit, rev1, rev2 }) => {
    const { w, revs } = threeRevisions(limit);
    expect(w.rollout.status?.phase).toBe('Healthy');
    expect(replicasOf(w, revs[0])).toBe(rev1);
    expect(replicasOf(w, revs[1])).toBe(rev2);
    expect(replicasOf(w, revs[2])).toBe(4);
  });

  it('a kept old ReplicaSet still goes to 0 at its deadline', () => {
    const { w, revs } = threeRevisions(1);
    const deadline = w.replicaSets.find((rs) => rs.metadata.labels?.[LABELS.podTemplateHash] === revs[1])
      ?.metadata.annotations?.[ANNOTATIONS.scaleDownDeadline];
    expect(deadline).toBe('2026-01-01T00:00:30Z');
    w.now = new Date(Date.parse(deadline as string));
    drive(w);
    expect(replicasOf(w, revs[1])).toBe(0);
  });

  it('the scale-down past the limit is one write with one event, and a re-plan writes nothing', () => {
    const w = new World('host');
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    w.setStatus({ promoteFull: true });
    drive(w);
    const rev1 = w.replicaSets.find((rs) => rs.metadata.annotations?.[ANNOTATIONS.revision] === '1');
    expect(rev1?.spec.replicas).toBe(4);
    w.rollout.spec.strategy!.canary!.scaleDownDelayRevisionLimit = 0;
    const p = plan(w.observed());
    expect(p.effects.map((e) => e.reason)).toEqual([`scale ReplicaSet ${rev1?.metadata.name} from 4 to 0`]);
    expect(plannedEvents(p)).toEqual([
      {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled down ReplicaSet ${rev1?.metadata.name} (revision 1) from 4 to 0`,
      },
    ]);
    w.apply(p);
    w.settle();
    const again = plan(w.observed());
    expect(again.effects).toEqual([]);
  });
});
