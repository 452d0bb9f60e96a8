// Measures what the step function's bundle and import owe to its HTTP stack: the bundle as shipped (lean plugin:
// client-node's fetch and Agent from shared/adapters/kube/https-fetch.ts on node:https) versus (a) the same code
// with client-node on the npm undici it depends on (as shipped before), and (b) client-node replaced by an empty
// stand-in module (no Kubernetes client at all: a lower bound). The stand-in does no I/O: sizes and import times
// only. Node 22's built-in fetch is no option: it refuses the npm undici 8 Agent client-node builds (fetch failed,
// UND_ERR_INVALID_ARG "invalid onRequestStart method", checked on Node 22.23 / undici 8.13) and Node exposes no
// Agent of its own undici to carry a per-cluster CA and client certificate.
// Run: node_modules/.bin/node bench/cold-alternative.mjs
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_BUNDLE, leanPlugin } from '../scripts/esbuild-lean.mjs';

const root = new URL('..', import.meta.url).pathname;
const stub = `export class KubeConfig { loadFromOptions() {} makeApiClient() { return {}; } }
export class CustomObjectsApi {} export class Watch {} export class Observable { constructor(p) { this.p = p; } }
export const PatchStrategy = { JsonPatch: 'application/json-patch+json', MergePatch: 'application/merge-patch+json' };`;
const stubPlugin = {
  name: 'stub-client-node',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({
      path: 'client-node-stub',
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: stub, loader: 'js' }));
  },
};
// client-node's own undici import, resolved before the lean plugin points it at https-fetch.ts.
const npmUndiciPlugin = {
  name: 'npm-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (a) => ({ path: createRequire(a.importer).resolve('undici') }));
  },
};

async function bundle(outfile, plugins) {
  await build({
    entryPoints: [join(root, 'functions/step/handler.ts')],
    outfile,
    ...NODE_BUNDLE,
    external: ['@aws-sdk/*'],
    plugins,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** One fresh import of `file`: [wall, CPU (user + system)] ms. */
function importOnce(file) {
  const code = `const t=performance.now(), c=process.cpuUsage(); await import(${JSON.stringify(file)});
const u=process.cpuUsage(c); console.log(performance.now()-t, (u.user+u.system)/1000)`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, AWS_REGION: 'us-east-1' },
  })
    .toString()
    .trim()
    .split(' ')
    .map(Number);
}

/** Median of 10 fresh imports of each file, interleaved (a change of the machine's load hits all alike). */
function coldImportMs(files) {
  const runs = files.map(() => []);
  for (let i = 0; i < 10; i++) files.forEach((f, j) => runs[j].push(importOnce(f)));
  const median = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return (s[4] + s[5]) / 2;
  };
  return runs.map((r) => ({ wall: median(r.map((x) => x[0])), cpu: median(r.map((x) => x[1])) }));
}

// Inside the repo (dist/ is gitignored) so the external AWS SDK resolves from node_modules, as in Lambda's runtime.
const dir = join(root, 'dist', 'cold-alternative');
mkdirSync(dir, { recursive: true });
const shipped = join(dir, 'shipped.mjs');
const alt = join(dir, 'without-client-node.mjs');
const npmUndici = join(dir, 'npm-undici.mjs');
const sizes = [
  await bundle(shipped, [leanPlugin]),
  await bundle(alt, [stubPlugin, leanPlugin]),
  await bundle(npmUndici, [npmUndiciPlugin, leanPlugin]),
];
const times = coldImportMs([shipped, alt, npmUndici]);
const ms = (t) => `${t.wall.toFixed(1)} ms (CPU ${t.cpu.toFixed(1)} ms)`;
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `step bundle as shipped:              ${kib(sizes[0])}, cold import median of 10: ${ms(times[0])}`,
);
console.log(
  `step bundle without client-node:     ${kib(sizes[1])}, cold import median of 10: ${ms(times[1])}`,
);
console.log(
  `step bundle on npm undici (before):  ${kib(sizes[2])}, cold import median of 10: ${ms(times[2])}`,
);
console.log(
  `ratio (shipped / without):           ${(sizes[0] / sizes[1]).toFixed(1)}× size, ${(times[0].cpu / times[1].cpu).toFixed(1)}× import CPU`,
);
