// Measures the trade-off of the Lambda bundles' biggest dependency: the step function bundled as shipped (lean
// plugin, on @kubernetes/client-node + undici) versus (a) the same code with client-node replaced by an empty
// stand-in module, and (b) client-node kept but its `undici` import pointed at Node 22's built-in copy (global
// fetch; Agent from the global dispatcher). The stand-ins do no I/O and (b) is not shipped (client-node 2.0.1
// requires undici ^8, Node 22 carries 6.x): both give sizes and import times only. A real replacement for (a) is a
// node:https client of about 50 lines (≈ 2 KiB, cf. tools/test-cluster/kube-http.ts), so its figures are a lower
// bound for that alternative.
// Run: node_modules/.bin/node bench/cold-alternative.mjs
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BANNER, leanPlugin } from '../scripts/esbuild-lean.mjs';

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
const builtinUndici = `globalThis.fetch; // loads Node's undici, which sets the global dispatcher
const dispatcher = globalThis[Symbol.for('undici.globalDispatcher.1')];
export const fetch = globalThis.fetch;
export const Agent = dispatcher.constructor;
export class ProxyAgent { constructor() { throw new Error('no ProxyAgent in the built-in undici'); } }`;
const builtinUndiciPlugin = {
  name: 'builtin-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici-builtin', namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, () => ({ contents: builtinUndici, loader: 'js' }));
  },
};

async function bundle(outfile, plugins) {
  await build({
    entryPoints: [join(root, 'functions/step/handler.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    banner: { js: BANNER },
    external: ['@aws-sdk/*'],
    plugins,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** Median of 10 fresh imports: wall and CPU (user + system) ms. */
function coldImportMs(file) {
  const code = `const t=performance.now(), c=process.cpuUsage(); await import(${JSON.stringify(file)});
const u=process.cpuUsage(c); console.log(performance.now()-t, (u.user+u.system)/1000)`;
  const runs = Array.from({ length: 10 }, () =>
    execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      env: { ...process.env, AWS_REGION: 'us-east-1' },
    })
      .toString()
      .trim()
      .split(' ')
      .map(Number),
  );
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return (s[4] + s[5]) / 2;
  };
  return { wall: median(runs.map((r) => r[0])), cpu: median(runs.map((r) => r[1])) };
}

// Inside the repo (dist/ is gitignored) so the external AWS SDK resolves from node_modules, as in Lambda's runtime.
const dir = join(root, 'dist', 'cold-alternative');
mkdirSync(dir, { recursive: true });
const shipped = join(dir, 'shipped.mjs');
const alt = join(dir, 'without-client-node.mjs');
const builtin = join(dir, 'node-undici.mjs');
const sizes = [
  await bundle(shipped, [leanPlugin]),
  await bundle(alt, [stubPlugin, leanPlugin]),
  await bundle(builtin, [builtinUndiciPlugin, leanPlugin]),
];
const times = [coldImportMs(shipped), coldImportMs(alt), coldImportMs(builtin)];
const ms = (t) => `${t.wall.toFixed(1)} ms (CPU ${t.cpu.toFixed(1)} ms)`;
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `step bundle as shipped:              ${kib(sizes[0])}, cold import median of 10: ${ms(times[0])}`,
);
console.log(
  `step bundle without client-node:     ${kib(sizes[1])}, cold import median of 10: ${ms(times[1])}`,
);
console.log(
  `step bundle on Node's own undici:    ${kib(sizes[2])}, cold import median of 10: ${ms(times[2])}`,
);
console.log(
  `ratio (shipped / without):           ${(sizes[0] / sizes[1]).toFixed(1)}× size, ${(times[0].cpu / times[1].cpu).toFixed(1)}× import CPU`,
);
