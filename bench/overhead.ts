/**
 * Section 6: rollout overhead. A 4-step rollout (setWeight 25, pause 0s, setWeight 75, pause 0s) with instantly
 * ready pods (the bench's stand-in kubelet marks every ReplicaSet ready before each pass) is driven pass after
 * pass, as the step function chain does (each follow-up delivered at once). The steps themselves must take 0 s,
 * so all of the time is overhead: engine passes plus the stand-in kubelet's writes.
 */
import { runStep, type StepDeps } from '../shared/app/step.js';
import { benchGateway, ensureNamespace, type BenchCluster } from './lib/cluster.js';
import { markAllReady, readRollout, seed, setImage } from './lib/drive.js';
import { median } from './lib/stats.js';

/** Overhead figures (median over `runs` rollouts). */
export interface OverheadResult {
  runs: number;
  totalMs: number[];
  totalMedianMs: number;
  passesMedian: number;
  passMsMedian: number;
  kubeletMsMedian: number;
  requiredMs: number;
}

const STEPS = [
  { setWeight: 25 },
  { pause: { duration: '0s' } },
  { setWeight: 75 },
  { pause: { duration: '0s' } },
];

export async function benchOverhead(c: BenchCluster, runs = 5): Promise<OverheadResult> {
  const ns = 'bench-overhead';
  await ensureNamespace(c, ns);
  await seed(c, ns, 'host', 'app', STEPS);
  const deps: StepDeps = { gateway: benchGateway(c), now: () => new Date() };
  const drive = async (): Promise<{ passes: number; passMs: number; kubeletMs: number }> => {
    let passes = 0;
    let passMs = 0;
    let kubeletMs = 0;
    for (let idle = 0; passes < 60;) {
      const k0 = performance.now();
      const changed = await markAllReady(c, ns);
      kubeletMs += performance.now() - k0;
      const t0 = performance.now();
      const r = await runStep(deps, { namespace: ns, name: 'app' });
      passMs += performance.now() - t0;
      passes++;
      idle = r.writes === 0 && changed === 0 ? idle + 1 : 0;
      if (idle > 0) return { passes, passMs, kubeletMs };
    }
    throw new Error('overhead bench: the rollout did not finish in 60 passes');
  };
  await drive();
  const totals: number[] = [];
  const passes: number[] = [];
  const passMs: number[] = [];
  const kubelet: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await setImage(c, ns, 'app', `registry.example/reviews:v${i + 2}`);
    const d = await drive();
    totals.push(performance.now() - t0);
    passes.push(d.passes);
    passMs.push(d.passMs);
    kubelet.push(d.kubeletMs);
    const r = await readRollout(c, ns, 'app');
    if (r.status?.phase !== 'Healthy' || r.status.stableRS !== r.status.currentPodHash) {
      throw new Error(
        `overhead bench: run ${i} ended ${r.status?.phase} (stable ${r.status?.stableRS}, current ${r.status?.currentPodHash})`,
      );
    }
  }
  return {
    runs,
    totalMs: totals,
    totalMedianMs: median(totals),
    passesMedian: median(passes),
    passMsMedian: median(passMs),
    kubeletMsMedian: median(kubelet),
    requiredMs: 0,
  };
}
