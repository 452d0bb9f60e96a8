/** Command line for the test cluster: start | stop | prune. Run through bin/cluster.mjs. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readClusterFile, repoRoot, startCluster, stopCluster } from './cluster.js';

const USAGE = `usage: cluster.mjs start [--dir DIR] [--bin-dir DIR] [--crd-dir DIR]
       cluster.mjs stop [--dir DIR]
       cluster.mjs prune [--root DIR]   (stops .cluster/jest-<pid> clusters whose test run has ended)
DIR defaults to .cluster/dev; --bin-dir defaults to the output of tools/test-cluster/build.sh`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new Error(`${name} needs a value\n${USAGE}`);
  return v;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops clusters left behind by test runs that died (their jest pid is gone). */
async function prune(root: string): Promise<void> {
  if (!existsSync(root)) return;
  for (const d of readdirSync(root)) {
    const m = /^(?:jest|extra)-(\d+)/.exec(d);
    if (!m || alive(Number(m[1]))) continue;
    process.stderr.write(
      `[test-cluster] removing cluster left by an ended test run: ${path.join(root, d)}\n`,
    );
    await stopCluster(path.join(root, d));
    rmSync(path.join(root, d), { recursive: true, force: true });
  }
}

/** Runs one command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  const dir = path.resolve(flag(args, '--dir') ?? path.join(repoRoot, '.cluster', 'dev'));
  if (cmd === 'start') {
    const c = await startCluster({ dir, binDir: flag(args, '--bin-dir'), crdDir: flag(args, '--crd-dir') });
    process.stdout.write(
      `cluster ready in ${c.startSeconds} s: ${c.server} (etcd :${c.ports.etcd}, pids ${c.pids.etcd}/${c.pids.apiserver})\n` +
        `  kubeconfig: ${c.kubeconfigPath}\n  info: ${path.join(c.dir, 'cluster.json')}\n  CRDs: ${c.crds.join(', ')}\n`,
    );
    return 0;
  }
  if (cmd === 'stop') {
    const had = existsSync(path.join(dir, 'cluster.json'));
    if (had) readClusterFile(dir);
    await stopCluster(dir);
    process.stdout.write(had ? `cluster in ${dir} stopped\n` : `no cluster in ${dir}\n`);
    return 0;
  }
  if (cmd === 'prune') {
    await prune(path.resolve(flag(args, '--root') ?? path.join(repoRoot, '.cluster')));
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}
