// The `sluice` CLI as one ESM file for the in-cluster image: dist/in-cluster/sluice-cli.mjs, with the dashboard page's
// script built in (so the image needs neither esbuild nor tsx at run time). Run from the repository root:
//   node deploy/in-cluster/build.mjs [outfile]
// deploy/in-cluster/Dockerfile runs it; tests/cli/in-cluster.test.ts runs `sluice run --in-cluster` from its output.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { buildPageScript, PAGE_DEFINE } from '../../scripts/dashboard-page.mjs';
import { leanPlugin, NODE_BUNDLE } from '../../scripts/esbuild-lean.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outfile = process.argv[2] ?? `${root}dist/in-cluster/sluice-cli.mjs`;
const page = await buildPageScript();

await build({
  stdin: {
    // Runs the CLI and exits, as bin/sluice.mjs does (keep-alive sockets must not hold the process open once the
    // command is done). main.ts runs itself only when the file is named `sluice`/`sluice.mjs`: the output is not.
    contents:
      "import { main } from './shared/runtimes/cli/main.ts';\n" +
      'process.exit(await main(process.argv.slice(2)));\n',
    resolveDir: root,
    loader: 'js',
    sourcefile: 'sluice-entry.mjs',
  },
  outfile,
  ...NODE_BUNDLE,
  // The lean plugin, as the function bundles (client-node without undici, its models and the packages sluice never
  // reaches): 2.4 MiB → 1.3 MiB. The on-demand page build (shared/runtimes/web/page-script.ts →
  // scripts/dashboard-page.mjs → esbuild) stays an unresolved dynamic import: the page is built in, so it never runs.
  plugins: [
    leanPlugin,
    {
      name: 'page-built-in',
      setup(b) {
        b.onResolve({ filter: /dashboard-page\.mjs$/ }, (a) => ({ path: a.path, external: true }));
      },
    },
  ],
  define: { [PAGE_DEFINE]: JSON.stringify(page) },
  logLevel: 'warning',
});
console.log(`built ${outfile}`);
