/**
 * The dashboard page's script, as the HTTP API serves it. The Lambda bundle carries it built in (the promote
 * function's bundle defines `__SLUICE_DASHBOARD_JS__`: scripts/build.mjs and serverless-esbuild's plugin
 * scripts/esbuild-plugins.cjs); `sluice run` and the sandbox build it with esbuild on first request, once per process
 * (scripts/dashboard-page.mjs: one definition of the build).
 */
import { embeddedScript } from './embedded-script.js';

let built: Promise<string> | undefined;

/** Builds the page script with esbuild (once per process; a failure is retried on the next request). */
export function buildPageScript(): Promise<string> {
  built ??= import('../../../scripts/dashboard-page.mjs')
    .then((m) => m.buildPageScript())
    .catch((err: unknown) => {
      built = undefined;
      throw err;
    });
  return built;
}

/** The script to serve: the embedded one, else one built now. */
export async function pageScript(): Promise<string | undefined> {
  return embeddedScript() ?? (await buildPageScript());
}
