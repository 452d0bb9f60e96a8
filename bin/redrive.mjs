#!/usr/bin/env node
// Launcher of `npm run redrive` (shared/runtimes/lambda/redrive-main.ts), through tsx like bin/sluice.mjs.
import { register } from 'tsx/esm/api';

register();
const { redriveMain } = await import('../shared/runtimes/lambda/redrive-main.ts');
try {
  await redriveMain(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`redrive failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
