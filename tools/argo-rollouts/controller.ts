/**
 * Argo Rollouts' own controller and kubectl plugin, built (or reused) by tools/argo-rollouts/build.sh and run
 * against a test cluster restricted to one namespace (`--namespaced`). Shared by the differential tests and the
 * reaction bench.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Argo Rollouts version compared with (the CRDs of the test cluster are the same version). */
export const ARGO_VERSION = 'v1.10.1';

/** Runs build.sh (build or reuse; a failed build throws) and returns the binaries' folder. */
export function argoBinaries(): string {
  const out = execFileSync('bash', [path.join(root, 'tools/argo-rollouts/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!dir) throw new Error('tools/argo-rollouts/build.sh printed no folder');
  return dir;
}

/** A running Argo Rollouts controller watching one namespace. */
export interface ArgoController {
  /** Runs `kubectl-argo-rollouts <args>` against the cluster; returns stdout. */
  plugin(args: string[]): string;
  stop(): Promise<void>;
  log(): string;
}

/**
 * Starts `rollouts-controller --namespaced --namespace <ns>` against the cluster of `kubeconfigYaml` (admin), with
 * no leader election and loopback metrics/healthz ports.
 */
export function startArgoController(
  bin: string,
  kubeconfigYaml: string,
  namespace: string,
  ports: { metrics: number; healthz: number },
): ArgoController {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-argo-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml, { mode: 0o600 });
  const logFile = path.join(dir, 'controller.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    path.join(bin, 'rollouts-controller'),
    [
      `--kubeconfig=${kubeconfig}`,
      '--namespaced',
      `--namespace=${namespace}`,
      '--leader-elect=false',
      `--metricsPort=${ports.metrics}`,
      `--healthzPort=${ports.healthz}`,
      '--loglevel=info',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return {
    plugin: (args) =>
      execFileSync(path.join(bin, 'kubectl-argo-rollouts'), [...args, `--kubeconfig=${kubeconfig}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
}
