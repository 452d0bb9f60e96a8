#!/usr/bin/env node
// Starts/stops the test cluster (etcd + kube-apiserver). The logic is TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../tools/test-cluster/cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`[test-cluster] ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
