/**
 * The dashboard page's script, as the HTTP API serves it. The Lambda bundle carries it built in (scripts/build.mjs
 * builds shared/dashboard/ with esbuild and defines `__SLUICE_DASHBOARD_JS__` in the promote function's bundle);
 * `sluice run` and the sandbox build it with esbuild on first request, once per process.
 */
import { fileURLToPath } from 'node:url';

declare const __SLUICE_DASHBOARD_JS__: string | undefined;

/** esbuild settings of the page script (scripts/build.mjs uses the same). */
export const PAGE_BUILD = {
  bundle: true,
  minify: true,
  format: 'esm' as const,
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'none' as const,
};

/** The script built into this bundle, if any. */
export function embeddedScript(): string | undefined {
  return typeof __SLUICE_DASHBOARD_JS__ === 'string' ? __SLUICE_DASHBOARD_JS__ : undefined;
}

let built: Promise<string> | undefined;

/** Builds shared/dashboard/main.ts in memory with esbuild (once per process; a failure is retried). */
export function buildPageScript(): Promise<string> {
  built ??= (async () => {
    const { build } = await import('esbuild');
    const entry = fileURLToPath(new URL('../../dashboard/main.ts', import.meta.url));
    const out = await build({ ...PAGE_BUILD, entryPoints: [entry], write: false, logLevel: 'silent' });
    const file = out.outputFiles?.[0];
    if (!file) throw new Error('esbuild produced no dashboard script');
    return file.text;
  })().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

/** The script to serve: the embedded one, else one built now. */
export async function pageScript(): Promise<string | undefined> {
  return embeddedScript() ?? (await buildPageScript());
}
