// Builds one minified ESM bundle per function: dist/<name>/handler.mjs (+ metafile), and prints each bundle's size
// and its largest inputs by package. The same esbuild settings as serverless.yml's custom.esbuild. The dashboard
// page's script is built first (dist/dashboard/app.js), embedded in the promote bundle (which serves it), and its
// weight checked against the budget. The lean plugin (scripts/esbuild-lean.mjs) is the one osls package uses too.
import { build } from 'esbuild';
import { readdirSync, existsSync, writeFileSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPageScript, pageWeight, PAGE_BUDGET_BYTES, PAGE_DEFINE } from './dashboard-page.mjs';
import { leanPlugin, NODE_BUNDLE } from './esbuild-lean.mjs';

const root = new URL('..', import.meta.url).pathname;
const bundleSdk = process.argv.includes('--bundle-sdk');

const functions = readdirSync(join(root, 'functions')).filter((name) =>
  existsSync(join(root, 'functions', name, 'handler.ts')),
);

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Sums bytesInOutput per npm package (or "sluice" for our own files). */
function byPackage(metafile, output) {
  const sizes = new Map();
  for (const [file, info] of Object.entries(metafile.outputs[output].inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : 'sluice';
    sizes.set(key, (sizes.get(key) ?? 0) + info.bytesInOutput);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 5);
}

let failed = false;
const page = await buildPageScript();
mkdirSync(join(root, 'dist', 'dashboard'), { recursive: true });
writeFileSync(join(root, 'dist', 'dashboard', 'app.js'), page);
const weight = pageWeight([page]);
console.log(
  `dashboard    ${kib(weight.raw).padStart(11)}  (${kib(weight.gzipped)} gzipped script; budget ${kib(PAGE_BUDGET_BYTES)} gzipped)`,
);
if (weight.gzipped > PAGE_BUDGET_BYTES) {
  failed = true;
  console.error(`dashboard: ${kib(weight.gzipped)} gzipped is over the budget of ${kib(PAGE_BUDGET_BYTES)}`);
}
for (const name of functions) {
  const outfile = join(root, 'dist', name, 'handler.mjs');
  try {
    const result = await build({
      entryPoints: [join(root, 'functions', name, 'handler.ts')],
      outfile,
      ...NODE_BUNDLE,
      sourcemap: 'linked',
      metafile: true,
      external: bundleSdk ? [] : ['@aws-sdk/*'],
      plugins: [leanPlugin],
      define: name === 'promote' ? { [PAGE_DEFINE]: JSON.stringify(page) } : {},
      logLevel: 'warning',
    });
    writeFileSync(join(root, 'dist', name, 'meta.json'), JSON.stringify(result.metafile));
    const output = Object.keys(result.metafile.outputs).find((o) => o.endsWith('handler.mjs'));
    const top = byPackage(result.metafile, output)
      .map(([pkg, bytes]) => `${pkg} ${kib(bytes)}`)
      .join(', ');
    console.log(`${name.padEnd(12)} ${kib(statSync(outfile).size).padStart(11)}  (${top})`);
  } catch (err) {
    failed = true;
    console.error(`${name}: build failed: ${err.message}`);
  }
}
process.exit(failed ? 1 : 0);
