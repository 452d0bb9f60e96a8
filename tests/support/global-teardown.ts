/**
 * Jest global teardown: stops the cluster that global-setup started for this run (not one it reused).
 * Set SLUICE_KEEP_CLUSTER=1 to leave it running for debugging (stop it with `npm run cluster:stop -- --dir DIR`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export default async function globalTeardown(config: { rootDir: string }): Promise<void> {
  const dir = process.env.SLUICE_CLUSTER_DIR;
  if (!dir || process.env.SLUICE_CLUSTER_OWNER !== String(process.pid)) return;
  if (process.env.SLUICE_KEEP_CLUSTER === '1') {
    process.stderr.write(`[test-cluster] SLUICE_KEEP_CLUSTER=1: cluster left running in ${dir}\n`);
    return;
  }
  execFileSync(process.execPath, [path.join(config.rootDir, 'bin', 'cluster.mjs'), 'stop', '--dir', dir], {
    cwd: config.rootDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const current = path.join(config.rootDir, '.cluster', 'current.json');
  if (existsSync(current) && (JSON.parse(readFileSync(current, 'utf8')) as { dir?: string }).dir === dir) {
    rmSync(current, { force: true });
  }
}
