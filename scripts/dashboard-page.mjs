// The dashboard page's script: shared/dashboard/main.ts bundled and minified by esbuild for current browsers.
// One definition for scripts/build.mjs, the serverless-esbuild plugin (scripts/esbuild-plugins.cjs, which embeds
// it in the promote function's bundle), `sluice run` (built on first request) and `npm run bench`.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Size budget of the page (script + HTML + CSS), gzipped. */
export const PAGE_BUDGET_BYTES = 150 * 1024;

/** The name the promote bundle defines to carry the script. */
export const PAGE_DEFINE = '__SLUICE_DASHBOARD_JS__';

/** Builds the page script in memory; resolves with its text. */
export async function buildPageScript() {
  const out = await build({
    entryPoints: [`${root}shared/dashboard/main.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no dashboard script');
  return file.text;
}

/** Raw and gzipped byte sizes of the given texts, summed. */
export function pageWeight(texts) {
  const raw = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const gzipped = texts.reduce((n, t) => n + gzipSync(t, { level: 9 }).length, 0);
  return { raw, gzipped };
}

// `node scripts/dashboard-page.mjs --print` writes the built script to stdout: how `sluice run` builds the page in a
// short-lived child process, so no esbuild service outlives the build in the long-running process.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--print')) {
  process.stdout.write(await buildPageScript());
}
