/**
 * When the "set headerRoute" / "set mirrorRoute" Events are recorded: as Argo Rollouts v1.10.1 records them
 * (`rollout/trafficrouting.go` calls `SetHeaderRoute`/`SetMirrorRoute` for the current step only, and
 * `istio.go` records the Event with that write), once per route step whose write changed the VirtualService. The
 * routes of earlier steps are still re-derived on every pass (a revert is put right), without their Events.
 */
import { describe, expect, it } from '@jest/globals';
import type { CanaryStep } from '../../../../shared/core/model/types.js';
import { NS, World } from './support/fixtures.js';
import { drive, messages, type Drive } from './support/drive.js';

const header = (match: boolean): CanaryStep => ({
  setHeaderRoute: {
    name: 'hdr',
    ...(match ? { match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } : {}),
  },
});
const mirror: CanaryStep = {
  setMirrorRoute: { name: 'mirror', percentage: 50, match: [{ method: { exact: 'GET' } }] },
};

/** Runs revision 2 through every step (promoting each pause) and returns every pass's Events. */
function rollout(steps: CanaryStep[]): { world: World; drives: Drive[] } {
  const world = new World('host', steps);
  world.rollout.spec.strategy!.canary!.trafficRouting!.managedRoutes = [{ name: 'hdr' }, { name: 'mirror' }];
  drive(world);
  world.updateImage('demo:2');
  const drives = [drive(world)];
  while (world.rollout.status?.pauseConditions?.length) {
    world.setStatus({ pauseConditions: null });
    drives.push(drive(world));
  }
  return { world, drives };
}

const routeEvents = (drives: Drive[]): string[] =>
  drives
    .flatMap((d) => messages(d.events, 'Updated VirtualService'))
    .filter((m) => m.includes('headerRoute') || m.includes('mirrorRoute'));

describe('"set headerRoute" / "set mirrorRoute" Events', () => {
  const cases: { name: string; steps: CanaryStep[]; want: string[] }[] = [
    {
      name: 'a header route set, then later weights',
      steps: [{ setWeight: 20 }, header(true), { setWeight: 40 }, { pause: {} }, { setWeight: 60 }],
      want: ["VirtualService `demo-vs` set headerRoute 'hdr'"],
    },
    {
      name: 'a header route set then removed, then later weights',
      steps: [
        { setWeight: 20 },
        header(true),
        { setWeight: 40 },
        header(false),
        { setWeight: 60 },
        { pause: {} },
      ],
      want: [
        "VirtualService `demo-vs` set headerRoute 'hdr'",
        "VirtualService `demo-vs` set headerRoute 'hdr'",
      ],
    },
    {
      name: 'header then mirror, weights after each',
      steps: [{ setWeight: 20 }, header(true), { setWeight: 30 }, mirror, { setWeight: 40 }, { pause: {} }],
      want: [
        "VirtualService `demo-vs` set headerRoute 'hdr'",
        "VirtualService `demo-vs` set mirrorRoute 'mirror'",
      ],
    },
  ];
  it.each(cases)('$name: one Event per route step that changed the VirtualService', ({ steps, want }) => {
    expect(routeEvents(rollout(steps).drives)).toEqual(want);
  });

  it('a revert of the routes at a later step is put back without a route Event', () => {
    const w = new World('host', [{ setWeight: 20 }, header(true), { pause: {} }]);
    w.rollout.spec.strategy!.canary!.trafficRouting!.managedRoutes = [{ name: 'hdr' }];
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    const http = (w.vs().spec as { http: { name?: string }[] }).http;
    expect(http.map((r) => r.name)).toEqual(['hdr', 'primary']);
    // A GitOps sync drops the header route while the rollout waits on the pause (step 2).
    w.virtualServices[`${NS}/demo-vs`] = { ...w.vs(), spec: { ...(w.vs().spec as object), http: [http[1]] } };
    const restored = drive(w);
    expect(restored.plans[0]?.effects.map((e) => e.target.resource)).toEqual(['virtualservices']);
    expect((w.vs().spec as { http: { name?: string }[] }).http.map((r) => r.name)).toEqual([
      'hdr',
      'primary',
    ]);
    expect(routeEvents([restored])).toEqual([]);
  });
});
