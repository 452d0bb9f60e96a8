/**
 * Section 7's figures, measured from outside for whichever runtime reconciles namespace `ns` (the AWS shape,
 * `sluice run`, Argo's controller): three Rollouts `gate`, `timed` and `six`, already Healthy at v1.
 */
import type { CanaryStep, Rollout } from '../shared/core/model/types.js';
import { openWindow, type ApiCount } from './lib/api-requests.js';
import { admin, type BenchCluster } from './lib/cluster.js';
import { markAllReady, readRollout, setImage } from './lib/drive.js';
import { percentile } from './lib/stats.js';

/** Trials per reaction figure. */
export const TRIALS = 5;

/** The three Rollouts' steps. */
export const REACTION_STEPS: Record<'gate' | 'timed' | 'six', CanaryStep[]> = {
  gate: [{ setWeight: 20 }, { pause: {} }],
  timed: [{ setWeight: 20 }, { pause: { duration: '30s' } }, { setWeight: 50 }],
  six: [20, 40, 60].flatMap((w) => [{ setWeight: w }, { pause: { duration: '0s' } }]),
};

/** One runtime's figures (milliseconds). */
export interface Figures {
  imageToPass: { p50: number; samples: number[] };
  availableToStep: { p50: number; samples: number[] };
  pause30ActualMs: number;
  sixStepMs: number;
  /** API requests of the whole 6-step rollout (image change → Healthy). */
  api: ApiCount;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 20 ms until it returns a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`reaction bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const observed = (r: Rollout): boolean =>
  Number(r.status?.observedGeneration) === r.metadata.generation;

const healthy = (r: Rollout): boolean =>
  observed(r) && r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash;

/** Runs the stand-in kubelet every 100 ms until every named Rollout in `ns` is Healthy (the runtime installs v1). */
export async function settle(c: BenchCluster, ns: string, names: string[]): Promise<void> {
  const kubelet = setInterval(() => void markAllReady(c, ns).catch(() => undefined), 100);
  try {
    for (const name of names)
      await until(`${ns}/${name} Healthy at v1`, async () =>
        healthy(await readRollout(c, ns, name)) ? true : undefined,
      );
  } finally {
    clearInterval(kubelet);
  }
}

/** True once the Rollout's current ReplicaSet asks for pods that are not all available yet. */
async function canaryScaled(c: BenchCluster, ns: string, name: string): Promise<true | undefined> {
  const r = await readRollout(c, ns, name);
  const hash = r.status?.currentPodHash;
  if (!hash || !observed(r)) return undefined;
  const list = (await admin(c, 'GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)) as {
    items: {
      metadata: { labels?: Record<string, string> };
      spec: { replicas?: number };
      status?: { availableReplicas?: number };
    }[];
  };
  const rs = list.items.find((x) => x.metadata.labels?.['rollouts-pod-template-hash'] === hash);
  const want = rs?.spec.replicas ?? 0;
  return want > 0 && (rs?.status?.availableReplicas ?? 0) < want ? true : undefined;
}

/**
 * Image change → new revision, and canary available → next step, {@link TRIALS} times on `gate`. Before each
 * measured change a quiet `quietMs`, so a reaction is to that change and not a late follow-up.
 */
async function gateTrials(c: BenchCluster, ns: string, quietMs: number): Promise<[number[], number[]]> {
  const imageToPass: number[] = [];
  const availableToStep: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    await sleep(quietMs);
    const t0 = performance.now();
    await setImage(c, ns, 'gate', `registry.example/app:t${i}`);
    await until('the new revision', async () =>
      observed(await readRollout(c, ns, 'gate')) ? true : undefined,
    );
    imageToPass.push(performance.now() - t0);
    await until('the canary ReplicaSet scaled up', () => canaryScaled(c, ns, 'gate'));
    await sleep(quietMs);
    const t1 = performance.now();
    await markAllReady(c, ns);
    await until('step 0 committed', async () => {
      const r = await readRollout(c, ns, 'gate');
      return (r.status?.currentStepIndex ?? 0) >= 1 ? true : undefined;
    });
    availableToStep.push(performance.now() - t1);
  }
  return [imageToPass, availableToStep];
}

/** The timed pause, from the moment it is seen until the next step is seen (20 ms polls). */
async function pause30(c: BenchCluster, ns: string): Promise<number> {
  await setImage(c, ns, 'timed', 'registry.example/app:v2');
  const pausedAt = await until('the 30 s pause', async () => {
    const r = await readRollout(c, ns, 'timed');
    return r.status?.currentStepIndex === 1 && (r.status.pauseConditions ?? []).length > 0
      ? performance.now()
      : undefined;
  });
  const pauseEnd = await until('the step after the pause', async () => {
    const r = await readRollout(c, ns, 'timed');
    return (r.status?.currentStepIndex ?? 0) >= 2 ? performance.now() : undefined;
  });
  return pauseEnd - pausedAt;
}

/** All figures for the runtime now reconciling `ns`. */
export async function measureFigures(c: BenchCluster, ns: string, quietMs: number): Promise<Figures> {
  const [imageToPass, availableToStep] = await gateTrials(c, ns, quietMs);
  const kubelet = setInterval(() => void markAllReady(c, ns).catch(() => undefined), 100);
  try {
    const pause30ActualMs = await pause30(c, ns);
    // The window holds the 6-step rollout alone: `timed` finished, then a quiet spell.
    await until('timed Healthy', async () => (healthy(await readRollout(c, ns, 'timed')) ? true : undefined));
    await sleep(quietMs);
    const window = await openWindow(c);
    const s0 = performance.now();
    await setImage(c, ns, 'six', 'registry.example/app:v2');
    await until('the 6-step rollout Healthy', async () =>
      healthy(await readRollout(c, ns, 'six')) ? true : undefined,
    );
    const sixStepMs = performance.now() - s0;
    const api = await window.close();
    return {
      imageToPass: { p50: percentile(imageToPass, 50), samples: imageToPass },
      availableToStep: { p50: percentile(availableToStep, 50), samples: availableToStep },
      pause30ActualMs,
      sixStepMs,
      api,
    };
  } finally {
    clearInterval(kubelet);
  }
}
