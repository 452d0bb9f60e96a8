/**
 * `sluice run` as a child process against the real test cluster: the whole control plane in one process carries a
 * rollout from an image update through a timed pause, a drift (the VirtualService rewritten to 100/0 behind its
 * back) and a promotion through the signed local HTTP API to Healthy, then stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '../../shared/runtimes/cli/main.js';
import type { Io } from '../../shared/runtimes/cli/args.js';
import { LABELS } from '../../shared/core/model/types.js';
import { adminRequest, applyObjects, clusterInfo, createNamespace } from '../support/cluster.js';
import { startKubelet, type Kubelet } from '../support/kubelet.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';

const ROLLOUT = (ns: string): string => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews`;
const VS = (ns: string): string => `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/reviews`;
const STEPS = [{ setWeight: 20 }, { pause: { duration: '1s' } }, { setWeight: 50 }, { pause: {} }];
const SECRET = { id: 'run-test', secret: `run-test-secret-${randomBytes(8).toString('hex')}` };

interface Status {
  phase?: string;
  currentStepIndex?: number;
  stableRS?: string;
  currentPodHash?: string;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function status(ns: string): Promise<Status> {
  return ((await adminRequest('GET', ROLLOUT(ns))).body.status ?? {}) as Status;
}

async function weights(ns: string): Promise<number[]> {
  const vs = (await adminRequest('GET', VS(ns))).body;
  return (vs.spec.http[0].route as { weight: number }[]).map((d) => d.weight);
}

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

describe('sluice run against the real test cluster', () => {
  let ns = '';
  let kubelet: Kubelet | undefined;
  let child: ChildProcess | undefined;
  let exit: Promise<number | null> = Promise.resolve(null);
  const output: string[] = [];
  let url = '';
  let secretFile = '';
  const instanceId = `run-real-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    ns = await createNamespace('run-real');
    const objects = hostSeed({ steps: STEPS }) as { kind: string; metadata: Record<string, unknown> }[];
    const rollout = objects.find((o) => o.kind === 'Rollout');
    if (!rollout) throw new Error('fixture has no Rollout');
    rollout.metadata.labels = { [LABELS.instanceId]: instanceId };
    await applyObjects(ns, objects);
    kubelet = startKubelet(ns);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-run-real-'));
    secretFile = join(dir, 'secret.json');
    writeFileSync(secretFile, JSON.stringify(SECRET), { mode: 0o600 });
    const args = [
      'bin/sluice.mjs',
      'run',
      '--kubeconfig',
      clusterInfo().kubeconfigPath,
      '--cluster-name',
      'test',
      '--interval',
      '1s',
      '--port',
      '0',
      '--instance-id',
      instanceId,
      '--webhook-secret-file',
      secretFile,
      ...(process.env.SLUICE_TEST_VERBOSE ? ['--verbose'] : []),
    ];
    const proc = spawn('node_modules/.bin/node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    exit = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    url = await waitFor('the HTTP API line', async () => {
      const line = output.find((l) => l.includes('HTTP API: '));
      return line ? /HTTP API: (http:\/\/\S+)/.exec(line)?.[1] : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await kubelet?.stop();
    if (process.env.SLUICE_TEST_VERBOSE) console.log(output.join('\n'));
  });

  it('prints a dashboard URL whose token opens the fleet; without it the data is refused', async () => {
    const line = output.find((l) => l.includes('dashboard (operator): '));
    const dash = /dashboard \(operator\): (http:\/\/\S+)/.exec(line ?? '')?.[1];
    expect(dash).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\?token=[0-9a-f]{64}$/);
    const token = new URL(dash as string).searchParams.get('token') ?? '';
    const fleet = await fetch(`${url}/ui/v1/fleet`, { headers: { authorization: `Bearer ${token}` } });
    expect(fleet.status).toBe(200);
    const rows = ((await fleet.json()) as { rows: { namespace: string }[] }).rows;
    expect(rows.map((r) => r.namespace)).toEqual([ns]);
    expect((await fetch(`${url}/ui/v1/fleet`)).status).toBe(401);
  });

  it('carries an update through a timed pause, puts a drift right, promotes via the signed API, and exits 0 on SIGTERM', async () => {
    // v1 is installed by the control plane alone (schedule tick: never reconciled).
    const v1 = await waitFor('v1 Healthy', async () => {
      const s = await status(ns);
      return s.phase === 'Healthy' && s.stableRS ? s.stableRS : undefined;
    });

    const updatedAt = Date.now();
    const patched = await adminRequest('PATCH', ROLLOUT(ns), {
      spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE_V2 }] } } },
    });
    expect(patched.status).toBe(200);
    // setWeight 20 → pause 1s (timed, the tick resumes it) → setWeight 50 → indefinite pause.
    await waitFor('the indefinite pause at step 3', async () => {
      const s = await status(ns);
      return s.currentStepIndex === 3 && s.phase === 'Paused' ? true : undefined;
    });
    const pausedAt = Date.now();
    expect(await weights(ns)).toEqual([50, 50]);

    // Drift: a GitOps sync rewrites the weights to 100/0; a pass restores 50/50 (the watch's drift check, or a
    // follow-up pass of the pause that reads the rewrite first) and records DriftCorrected.
    const vs = (await adminRequest('GET', VS(ns))).body;
    vs.spec.http[0].route[0].weight = 100;
    vs.spec.http[0].route[1].weight = 0;
    const driftAt = Date.now();
    expect((await adminRequest('PUT', VS(ns), vs)).status).toBe(200);
    await waitFor('the weights restored', async () => ((await weights(ns))[0] === 50 ? true : undefined));
    const correctedMs = Date.now() - driftAt;
    const event = await waitFor('a DriftCorrected Event', async () => {
      const events = (await adminRequest('GET', `/api/v1/namespaces/${ns}/events`)).body.items as {
        reason: string;
        message: string;
      }[];
      return events.find((e) => e.reason === 'DriftCorrected');
    });
    expect(event.message).toContain(`VirtualService ${ns}/reviews drifted from the committed step`);
    expect(event.message).toMatch(
      /reviews-stable=100, reviews-canary=0 -> .*reviews-stable=50, reviews-canary=50/,
    );

    // An unsigned request is refused and changes nothing.
    const unsigned = await fetch(`${url}/v1/clusters/test/namespaces/${ns}/rollouts/reviews/promote`, {
      method: 'POST',
    });
    expect(unsigned.status).toBe(401);
    expect((await status(ns)).currentStepIndex).toBe(3);

    // Promotion through the signed local API, with the CLI client.
    const io = capture();
    const promoteAt = Date.now();
    const code = await main(
      ['promote', `${ns}/reviews`, '--server', url, '--cluster', 'test', '--webhook-secret-file', secretFile],
      io,
    );
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toContain('promote by run-test');
    const v2 = await waitFor('v2 Healthy and stable', async () => {
      const s = await status(ns);
      return s.phase === 'Healthy' && s.stableRS && s.stableRS !== v1 && s.stableRS === s.currentPodHash
        ? s.stableRS
        : undefined;
    });
    expect(v2).not.toBe(v1);
    // Back to the stable host (now v2) with all the traffic.
    await waitFor('weights stable 100 / canary 0', async () =>
      (await weights(ns)).join('/') === '100/0' ? true : undefined,
    );
    const promotedAt = Date.now();

    // One readable line per decision, with the reason; the HTTP answer and the drift are logged.
    const log = output.join('\n');
    expect(log).toMatch(/reviews: step-completed \(step 0 → 1\).*← /);
    expect(log).toContain(`POST /v1/clusters/test/namespaces/${ns}/rollouts/reviews/promote → 200`);
    expect(log).toContain(`POST /v1/clusters/test/namespaces/${ns}/rollouts/reviews/promote → 401`);
    expect(log).toContain(`${ns}/reviews: DriftCorrected VirtualService ${ns}/reviews`);
    // Recorded once, whichever pass put it back (the watch's drift check or a follow-up pass that got there first).
    const drifts = (
      (await adminRequest('GET', `/api/v1/namespaces/${ns}/events`)).body.items as { reason: string }[]
    ).filter((e) => e.reason === 'DriftCorrected');
    expect(drifts).toHaveLength(1);
    expect(log.split(`${ns}/reviews: DriftCorrected`)).toHaveLength(2);

    child?.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output.join('\n')).toContain('stopped cleanly');
    console.log(
      `sluice run: update → indefinite pause ${pausedAt - updatedAt} ms; ` +
        `update → promoted (incl. the test's drift and promotion) ${promotedAt - updatedAt} ms; ` +
        `signed promotion → Healthy on v2 ${promotedAt - promoteAt} ms; ` +
        `drift corrected in ${correctedMs} ms`,
    );
  }, 90_000);
});
