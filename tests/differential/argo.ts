/**
 * Argo Rollouts' own controller and kubectl plugin for the differential tests: built (or reused) by
 * tools/argo-rollouts/build.sh, run against the test cluster restricted to one namespace (`--namespaced`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterInfo } from '../support/cluster.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Argo Rollouts version the suite compares with (the CRDs of the test cluster are the same version). */
export const ARGO_VERSION = 'v1.10.1';

/** Runs build.sh (build or reuse; never skipped: a failed build fails the suite) and returns the binaries' folder. */
export function argoBinaries(): string {
  const out = execFileSync('bash', [path.join(root, 'tools/argo-rollouts/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!dir) throw new Error('tools/argo-rollouts/build.sh printed no folder');
  return dir;
}

/** A kubeconfig file for the test cluster (admin), for the Go binaries. */
function kubeconfigFile(dir: string): string {
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(file, clusterInfo().kubeconfigYaml, { mode: 0o600 });
  return file;
}

/** A running Argo Rollouts controller watching one namespace. */
export interface ArgoController {
  /** Runs `kubectl-argo-rollouts <args>` against the test cluster; returns stdout. */
  plugin(args: string[]): string;
  stop(): Promise<void>;
  log(): string;
}

/** Starts `rollouts-controller --namespaced --namespace <ns>` (no leader election, loopback metrics/healthz). */
export function startArgo(
  bin: string,
  namespace: string,
  ports: { metrics: number; healthz: number },
): ArgoController {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-argo-'));
  const kubeconfig = kubeconfigFile(dir);
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
