/**
 * The operator CLI against the real kube-apiserver: status, actions with --expect-step, exit codes, kubeconfig
 * handling. The Rollout's status is written as admin (the engine is exercised by the journeys).
 */
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '../../shared/runtimes/cli/main.js';
import type { Io } from '../../shared/runtimes/cli/args.js';
import { adminRequest, applyObjects, clusterInfo, createNamespace } from '../support/cluster.js';
import { hostSeed } from '../journeys/fixtures.js';

const run = promisify(execFile);
const rolloutPath = (ns: string): string => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews`;

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

const PAUSED = {
  currentStepIndex: 1,
  currentPodHash: 'h2',
  stableRS: 'h1',
  pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
  controllerPause: true,
  phase: 'Paused',
  message: 'CanaryPauseStep',
  canary: {
    weights: {
      canary: { weight: 20, podTemplateHash: 'h2', serviceName: 'reviews-canary' },
      stable: { weight: 80, podTemplateHash: 'h1', serviceName: 'reviews-stable' },
    },
  },
};

async function pausedRollout(prefix: string): Promise<string> {
  const ns = await createNamespace(prefix);
  await applyObjects(ns, hostSeed());
  const res = await adminRequest('PATCH', `${rolloutPath(ns)}/status`, { status: PAUSED });
  expect(res.status).toBe(200);
  return ns;
}

const kc = (): string[] => ['--kubeconfig', clusterInfo().kubeconfigPath];

describe('sluice CLI', () => {
  let ns = '';
  beforeAll(async () => {
    ns = await pausedRollout('cli');
  });

  it('status prints the rollout like the kubectl plugin: phase, step, weights', async () => {
    const io = capture();
    expect(await main(['status', `${ns}/reviews`, ...kc()], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/Status:\s+Paused/);
    expect(text).toMatch(/Step:\s+1\/4/);
    expect(text).toMatch(/SetWeight:\s+20/);
    expect(text).toMatch(/ActualWeight:\s+20/);
    expect(text).toContain('> 1: pause');
  });

  it('promote with a stale --expect-step is refused with exit 1 and writes nothing', async () => {
    const before = (await adminRequest('GET', rolloutPath(ns))).body.metadata.resourceVersion;
    const io = capture();
    expect(await main(['promote', `${ns}/reviews`, '--expect-step', '0', ...kc()], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/conflict/);
    expect((await adminRequest('GET', rolloutPath(ns))).body.metadata.resourceVersion).toBe(before);
  });

  it('promote with the right --expect-step clears the pause on the status subresource and records an Event', async () => {
    const io = capture();
    expect(
      await main(['promote', `${ns}/reviews`, '--expect-step', '1', '--actor', 'test-operator', ...kc()], io),
    ).toBe(0);
    const r = (await adminRequest('GET', rolloutPath(ns))).body;
    expect(r.status.pauseConditions).toBeUndefined();
    expect(r.status.controllerPause).toBe(true);
    const events = (await adminRequest('GET', `/api/v1/namespaces/${ns}/events`)).body.items as {
      reason: string;
      message: string;
    }[];
    expect(events).toContainEqual(
      expect.objectContaining({
        reason: 'OperatorAction',
        message: expect.stringContaining('promote by test-operator'),
      }),
    );
  });

  it.each([
    ['abort', { abort: true }],
    ['retry', { abort: false }],
  ])('%s writes the status field Argo writes', async (verb, want) => {
    const io = capture();
    expect(await main([verb, `${ns}/reviews`, ...kc()], io)).toBe(0);
    expect((await adminRequest('GET', rolloutPath(ns))).body.status).toMatchObject(want);
  });

  it('pause then resume toggles spec.paused', async () => {
    expect(await main(['pause', `${ns}/reviews`, ...kc()], capture())).toBe(0);
    expect((await adminRequest('GET', rolloutPath(ns))).body.spec.paused).toBe(true);
    expect(await main(['resume', `${ns}/reviews`, ...kc()], capture())).toBe(0);
    expect((await adminRequest('GET', rolloutPath(ns))).body.spec.paused).toBe(false);
  });

  it('promote --full sets status.promoteFull', async () => {
    const other = await pausedRollout('cli-full');
    expect(await main(['promote', '--full', `${other}/reviews`, ...kc()], capture())).toBe(0);
    expect((await adminRequest('GET', rolloutPath(other))).body.status.promoteFull).toBe(true);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['a reference without a namespace', ['status', 'reviews']],
    ['a non-numeric --expect-step', ['promote', 'a/b', '--expect-step', 'one']],
    ['an unknown flag', ['status', 'a/b', '--colour']],
    ['--full on abort', ['abort', '--full', 'a/b']],
    ['a missing kubeconfig file', ['status', 'a/b', '--kubeconfig', '/nonexistent/kubeconfig']],
  ])('exits 2 with a one-line reason on %s', async (_case, argv) => {
    const io = capture({ KUBECONFIG: '/nonexistent/kc' });
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
  });

  it('rejects a kubeconfig with an exec plugin (exit 2, nothing contacted)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      clusterInfo().kubeconfigYaml.replace(
        /users:\n(\s*)- name: (\S+)\n(\s*)user:\n/,
        (m) => `${m}      exec: {command: /bin/sh, apiVersion: client.authentication.k8s.io/v1}\n`,
      ),
    );
    const io = capture();
    expect(await main(['status', `${ns}/reviews`, '--kubeconfig', file], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/exec/);
  });

  it('status of a missing rollout exits 1', async () => {
    const io = capture();
    expect(await main(['status', `${ns}/missing`, ...kc()], io)).toBe(1);
    expect(io.stderr[0]).toContain('not found');
  });

  it('the installed launcher runs the CLI and maps exit codes (0 and 2)', async () => {
    const node = join(process.cwd(), 'node_modules', '.bin', 'node');
    const ok = await run(node, ['bin/sluice.mjs', 'status', `${ns}/reviews`, '--json', ...kc()], {
      cwd: process.cwd(),
    });
    expect(JSON.parse(ok.stdout)).toMatchObject({
      namespace: ns,
      name: 'reviews',
      step: { index: expect.any(Number), total: 4 },
    });
    await expect(run(node, ['bin/sluice.mjs', 'status'], { cwd: process.cwd() })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/missing <namespace>\/<name>/),
    });
  }, 30_000);

  it('validate reports the first problem of each Rollout: exit 0 when all valid, 1 otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
    const good = hostSeed()[3] as { spec: { strategy: { canary: { steps: unknown[] } } } };
    writeFileSync(join(dir, 'good.json'), JSON.stringify(good));
    const io = capture();
    expect(await main(['validate', dir], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('1 Rollout(s) checked, 0 problem(s)');
    const bad = structuredClone(good);
    bad.spec.strategy.canary.steps = [{ setWeight: 120 }];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const io2 = capture();
    expect(await main(['validate', dir], io2)).toBe(1);
    expect(io2.stderr.join('\n')).toContain('SetWeight needs to be between 0 and 100');
  });

  it('plan prints the next pass and checks it with a server dry run, persisting nothing', async () => {
    const fresh = await createNamespace('cli-plan');
    await applyObjects(fresh, hostSeed());
    const io = capture();
    expect(await main(['plan', `${fresh}/reviews`, ...kc()], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('create replicasets');
    expect(text).toContain('server dry run');
    const rs = await adminRequest('GET', `/apis/apps/v1/namespaces/${fresh}/replicasets`);
    expect(rs.body.items).toHaveLength(0);
    expect((await adminRequest('GET', rolloutPath(fresh))).body.status).toBeUndefined();
  });
});
