/**
 * The dashboard page's script, as the HTTP API serves it. The Lambda bundle carries it built in (the promote
 * function's bundle defines `__SLUICE_DASHBOARD_JS__`: scripts/build.mjs and serverless-esbuild's plugin
 * scripts/esbuild-plugins.cjs); `sluice run` and the sandbox build it with esbuild on first request, once per process
 * (scripts/dashboard-page.mjs: one definition of the build), in a child process: esbuild's JS API keeps a service
 * process of its own, which in a long-running process would hold it open for as long as a build was unfinished.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { embeddedScript } from './embedded-script.js';

const BUILDER = fileURLToPath(new URL('../../../scripts/dashboard-page.mjs', import.meta.url));

let built: Promise<string> | undefined;

function buildInChild(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BUILDER, '--print'],
      { maxBuffer: 8 * 1024 * 1024, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(`build the dashboard page script with ${BUILDER} failed: ${stderr || err.message}`),
          );
        else if (stdout === '')
          reject(new Error(`build the dashboard page script with ${BUILDER} printed nothing`));
        else resolve(stdout);
      },
    );
  });
}

/** Builds the page script with esbuild (once per process; a failure is retried on the next request). */
export function buildPageScript(): Promise<string> {
  built ??= buildInChild().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

/** The script to serve: the embedded one, else one built now. */
export async function pageScript(): Promise<string | undefined> {
  return embeddedScript() ?? (await buildPageScript());
}
