/**
 * The other two runtimes for section 7, started as a user would against the bench cluster, each on its own
 * namespace: `sluice run` (bin/sluice.mjs, its own instance id) and Argo Rollouts' own controller
 * (`--namespaced`, tools/argo-rollouts). Each returns a stop function.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { argoBinaries, startArgoController, type ArgoController } from '../tools/argo-rollouts/controller.js';
import { freePort } from '../tools/test-cluster/proc.js';
import { repoRoot, type BenchCluster } from './lib/cluster.js';
import { until } from './reaction-measure.js';

/** A started runtime. */
export interface Runtime {
  stop(): Promise<void>;
  /** The last lines of its log (for a failure's message). */
  tail(): string;
}

/** Spawns `node bin/sluice.mjs run` for Rollouts labelled `instanceId`; resolves once its HTTP API is up. */
export async function startSluiceRun(c: BenchCluster, instanceId: string): Promise<Runtime> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-run-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, c.kubeconfigYaml, { mode: 0o600 });
  const secretFile = path.join(dir, 'secret.json');
  writeFileSync(
    secretFile,
    JSON.stringify({ id: 'bench', secret: `bench-${Date.now()}-secret-0123456789` }),
    {
      mode: 0o600,
    },
  );
  const args = [
    'bin/sluice.mjs',
    'run',
    '--kubeconfig',
    kubeconfig,
    '--cluster-name',
    'bench',
    '--port',
    '0',
  ];
  args.push('--instance-id', instanceId, '--webhook-secret-file', secretFile);
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/node'), args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const output: string[] = [];
  const onData = (chunk: Buffer): void => void output.push(...chunk.toString().split('\n'));
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const tail = (): string => output.slice(-15).join('\n');
  try {
    await until('sluice run: its HTTP API line', async () =>
      child.exitCode !== null
        ? Promise.reject(new Error(`sluice run exited:\n${tail()}`))
        : output.some((l) => l.includes('HTTP API: ')) || undefined,
    );
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    tail,
  };
}

/** Starts Argo Rollouts' controller on `ns` (built or reused from the cache by build.sh). */
export async function startArgoRuntime(c: BenchCluster, ns: string): Promise<Runtime> {
  const ports = { metrics: await freePort(), healthz: await freePort() };
  const argo: ArgoController = startArgoController(argoBinaries(), c.kubeconfigYaml, ns, ports);
  return { stop: () => argo.stop(), tail: () => argo.log().split('\n').slice(-15).join('\n') };
}
