/**
 * Jest global setup: builds or reuses kube-apiserver + etcd and starts ONE test cluster for the run in
 * `.cluster/jest-<pid>`. Workers find it through SLUICE_CLUSTER_DIR (inherited) or `.cluster/current.json`.
 * Skipped when SLUICE_NO_CLUSTER=1 or when no selected test file belongs to the `cluster` project.
 * Reuses a running cluster when SLUICE_CLUSTER_DIR names one (start it with `npm run cluster:start`).
 * This file is loaded as CommonJS by jest: it may import node builtins only, so it drives bin/cluster.mjs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CLUSTER_ROOTS = [
  'tests/cluster',
  'tests/journeys',
  'tests/functions',
  'tests/reliability',
  'tests/cli',
];
const log = (m: string): void => void process.stderr.write(`[test-cluster] ${m}\n`);

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return testFiles(p);
    return /\.test\.[cm]?[jt]s$/.test(f) ? [p] : [];
  });
}

/** Values of a repeatable flag such as `--selectProjects a b` or `--selectProjects=a`. */
function flagValues(argv: string[], names: string[]): string[] | undefined {
  let out: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = names.find((n) => a.startsWith(`${n}=`));
    if (eq) (out ??= []).push(a.slice(eq.length + 1));
    if (!names.includes(a)) continue;
    out ??= [];
    for (let j = i + 1; j < argv.length && !(argv[j] ?? '').startsWith('-'); j++) out.push(argv[j] ?? '');
  }
  return out;
}

/** True when at least one selected test file lives in the `cluster` project. */
export function needsCluster(rootDir: string, patterns: string[], argv: string[]): boolean {
  const selected = flagValues(argv, ['--selectProjects', '--select-projects']);
  if (selected && !selected.includes('cluster')) return false;
  const ignored = flagValues(argv, ['--ignoreProjects', '--ignore-projects']);
  if (ignored?.includes('cluster')) return false;
  const files = CLUSTER_ROOTS.flatMap((r) => testFiles(path.join(rootDir, r)));
  if (patterns.length === 0) return files.length > 0;
  const res = patterns.map((p) => new RegExp(p, 'i'));
  return files.some((f) => res.some((re) => re.test(f)));
}

interface JestConfig {
  rootDir: string;
  testPathPatterns?: { patterns?: string[] };
}

export default async function globalSetup(config: JestConfig): Promise<void> {
  const root = config.rootDir;
  if (process.env.SLUICE_NO_CLUSTER === '1') return log('SLUICE_NO_CLUSTER=1: no test cluster started');
  if (!needsCluster(root, config.testPathPatterns?.patterns ?? [], process.argv)) {
    return log('only unit tests selected: no test cluster started');
  }
  const given = process.env.SLUICE_CLUSTER_DIR;
  if (given && existsSync(path.join(given, 'cluster.json'))) {
    process.env.SLUICE_CLUSTER_DIR = path.resolve(given);
    return log(`reusing the running cluster in ${process.env.SLUICE_CLUSTER_DIR} (SLUICE_CLUSTER_DIR)`);
  }
  const cli = path.join(root, 'bin', 'cluster.mjs');
  const node = process.execPath;
  execFileSync(node, [cli, 'prune'], { cwd: root, stdio: 'inherit' });
  log('building or reusing kube-apiserver + etcd (tools/test-cluster/build.sh)');
  let binDir: string;
  try {
    const out = execFileSync('bash', [path.join(root, 'tools/test-cluster/build.sh')], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    binDir = out.trim().split('\n').pop() ?? '';
  } catch (e) {
    throw new Error(
      `cannot build kube-apiserver/etcd for the cluster tests (${(e as Error).message}). ` +
        'Install Go or set KUBEBUILDER_ASSETS; run only unit tests with SLUICE_NO_CLUSTER=1.',
    );
  }
  const dir = path.join(root, '.cluster', `jest-${process.pid}`);
  log(`starting a test cluster in ${dir} (binaries: ${binDir})`);
  try {
    execFileSync(node, [cli, 'start', '--dir', dir, '--bin-dir', binDir], { cwd: root, stdio: 'inherit' });
  } catch {
    throw new Error(`the test cluster did not start; logs are in ${dir} (see the error above)`);
  }
  mkdirSync(path.join(root, '.cluster'), { recursive: true });
  writeFileSync(
    path.join(root, '.cluster', 'current.json'),
    JSON.stringify({ dir, jestPid: process.pid }, null, 2),
  );
  process.env.SLUICE_CLUSTER_DIR = dir;
  process.env.SLUICE_CLUSTER_OWNER = String(process.pid);
}
