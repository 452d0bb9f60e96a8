// Measures the trade-off of the Lambda bundles' biggest dependency: the step function bundled as shipped (on
// @kubernetes/client-node + undici) versus the same code with client-node replaced by an empty stand-in module.
// The stand-in does no I/O; a real replacement is a node:https client of about 50 lines (≈ 2 KiB, cf.
// tools/test-cluster/kube-http.ts), so its figures are a lower bound for that alternative.
// Run: node_modules/.bin/node bench/cold-alternative.mjs
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const banner = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
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

async function bundle(outfile, plugins) {
  await build({
    entryPoints: [join(root, 'functions/step/handler.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    banner: { js: banner },
    external: ['@aws-sdk/*'],
    plugins,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

function coldImportMs(file) {
  const code = `const t=performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now()-t)`;
  const runs = Array.from({ length: 10 }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: root,
        env: { ...process.env, AWS_REGION: 'us-east-1' },
      }).toString(),
    ),
  );
  runs.sort((a, b) => a - b);
  return (runs[4] + runs[5]) / 2;
}

// Inside the repo (dist/ is gitignored) so the external AWS SDK resolves from node_modules, as in Lambda's runtime.
const dir = join(root, 'dist', 'cold-alternative');
mkdirSync(dir, { recursive: true });
const shipped = join(dir, 'shipped.mjs');
const alt = join(dir, 'without-client-node.mjs');
const sizes = [await bundle(shipped, []), await bundle(alt, [stubPlugin])];
const times = [coldImportMs(shipped), coldImportMs(alt)];
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `step bundle as shipped:              ${kib(sizes[0])}, cold import median of 10: ${times[0].toFixed(1)} ms`,
);
console.log(
  `step bundle without client-node:     ${kib(sizes[1])}, cold import median of 10: ${times[1].toFixed(1)} ms`,
);
console.log(
  `ratio (shipped / without):           ${(sizes[0] / sizes[1]).toFixed(1)}× size, ${(times[0] / times[1]).toFixed(1)}× import`,
);
