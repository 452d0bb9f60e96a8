/**
 * The dashboard page's script built into this bundle: the promote function's bundle defines
 * `__SLUICE_DASHBOARD_JS__` (scripts/build.mjs, and serverless-esbuild's plugin scripts/esbuild-plugins.cjs).
 * Kept apart from the on-demand build (page-script.ts) so the Lambda bundle never pulls esbuild in.
 */
declare const __SLUICE_DASHBOARD_JS__: string | undefined;

/** The script built into this bundle, if any. */
export function embeddedScript(): string | undefined {
  return typeof __SLUICE_DASHBOARD_JS__ === 'string' ? __SLUICE_DASHBOARD_JS__ : undefined;
}
