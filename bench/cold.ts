/**
 * Section 3: cold start of each function bundle (dist/<fn>/handler.mjs from `npm run build`): size and what fills
 * it (metafile, by package), cold import time in a fresh process (median of 10; wall and CPU time, the latter
 * telling a slower import from a busy machine), time from process start to the
 * handler's first response against the warm test API server (AWS APIs on a loopback fake), peak RSS.
 */
import { execFileSync, execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { signRequest } from '../shared/app/http-api/webhook-auth.js';
import { repoRoot, type BenchCluster } from './lib/cluster.js';
import { fakeAwsEnv, startFakeAws } from './lib/fake-aws.js';
import { median } from './lib/stats.js';

export const FUNCTIONS = ['schedule', 'step', 'promote', 'watch', 'drift-check'] as const;
const NODE = path.join(repoRoot, 'node_modules', '.bin', 'node');
const CHILD = path.join(repoRoot, 'bench', 'cold-child.mjs');

/** One function's cold-start figures. */
export interface ColdStart {
  fn: string;
  bundleBytes: number;
  /** Bytes in the bundle per package, largest first ("sluice" = this repository's own code). */
  packages: [string, number][];
  importMs: number[];
  importMedianMs: number;
  /** CPU time (user + system) of the import, median: what the wall time would be on a quiet core. */
  importCpuMedianMs: number;
  bootMedianMs: number;
  firstResponseMs: number;
  handlerMs: number;
  /** CPU time (user + system) of the first invocation: with the import's, the whole cold start's CPU. */
  handlerCpuMs: number;
  maxRssBytes: number;
  result: string;
}

interface ChildOut {
  bootMs: number;
  importMs: number;
  importCpuMs: number;
  firstResponseMs?: number;
  handlerMs?: number;
  handlerCpuMs?: number;
  maxRssBytes: number;
  result?: string;
}

function byPackage(metaPath: string): [string, number][] {
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const out = Object.entries(meta.outputs).find(([k]) => k.endsWith('handler.mjs'))?.[1];
  const sizes = new Map<string, number>();
  for (const [file, info] of Object.entries(out?.inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m?.[1] ?? 'sluice';
    sizes.set(key, (sizes.get(key) ?? 0) + info.bytesInOutput);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

function child(args: string[], env: Record<string, string>): Promise<ChildOut> {
  return new Promise((resolve, reject) => {
    execFile(
      NODE,
      [CHILD, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err)
          return reject(
            new Error(`cold-start child ${args[0]} failed: ${err.message}\n${stderr.slice(-2000)}`),
          );
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as ChildOut);
        } catch {
          reject(
            new Error(
              `cold-start child ${args[0]}: no JSON result; stdout: ${stdout.slice(-500)} stderr: ${stderr.slice(-1000)}`,
            ),
          );
        }
      },
    );
  });
}

/** One function's figures from its import runs and its invocation run. */
function coldStart(fn: string, dir: string, importRuns: ChildOut[], invoke: ChildOut): ColdStart {
  return {
    fn,
    bundleBytes: statSync(path.join(dir, 'handler.mjs')).size,
    packages: byPackage(path.join(dir, 'meta.json')),
    importMs: importRuns.map((r) => r.importMs),
    importMedianMs: median(importRuns.map((r) => r.importMs)),
    importCpuMedianMs: median(importRuns.map((r) => r.importCpuMs)),
    bootMedianMs: median(importRuns.map((r) => r.bootMs)),
    firstResponseMs: invoke.firstResponseMs ?? Number.NaN,
    handlerMs: invoke.handlerMs ?? Number.NaN,
    handlerCpuMs: invoke.handlerCpuMs ?? Number.NaN,
    maxRssBytes: Math.max(invoke.maxRssBytes, ...importRuns.map((r) => r.maxRssBytes)),
    result: invoke.result ?? '',
  };
}

/** Builds the bundles (`npm run build`) and measures each. `target` names a Rollout the step events refer to. */
export async function benchCold(
  c: BenchCluster,
  target: { namespace: string; name: string },
  imports = 10,
): Promise<ColdStart[]> {
  execFileSync(NODE, [path.join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const webhook = { id: 'bench-key', secret: 'bench-webhook-secret-0123456789' };
  const fake = await startFakeAws({
    'bench/kubeconfig': c.kubeconfigYaml,
    'bench/webhook': JSON.stringify(webhook),
  });
  const env: Record<string, string> = {
    ...fakeAwsEnv(fake),
    SLUICE_CLUSTERS: JSON.stringify([{ name: 'bench', source: 'secret', secretId: 'bench/kubeconfig' }]),
    SLUICE_EVENT_BUS: 'sluice-bench',
    SLUICE_INSTANCE_ID: 'bench',
    SLUICE_WEBHOOK_SECRET_ID: 'bench/webhook',
    SLUICE_WATCH_STOP_BEFORE_SECONDS: '1',
    LOG_LEVEL: 'error',
  };
  const { namespace, name } = target;
  const rawPath = `/v1/clusters/bench/namespaces/${namespace}/rollouts/${name}`;
  const events: Record<string, { event: unknown; remaining?: number }> = {
    schedule: { event: { id: 'cold', 'detail-type': 'Scheduled Event', detail: {} } },
    step: { event: { id: 'cold', detail: { cluster: 'bench', namespace, rollout: name } } },
    'drift-check': {
      event: {
        id: 'cold',
        detail: { cluster: 'bench', namespace, kind: 'VirtualService', name, resourceVersion: '1' },
      },
    },
    // The watch holds its streams until 1 s before the deadline: 1.2 s remaining = a 200 ms watch window.
    watch: { event: { id: 'cold' }, remaining: 1200 },
  };
  const results: ColdStart[] = [];
  try {
    for (const fn of FUNCTIONS) {
      const dir = path.join(repoRoot, 'dist', fn);
      const bundle = path.join(dir, 'handler.mjs');
      const importRuns: ChildOut[] = [];
      for (let i = 0; i < imports; i++) importRuns.push(await child([bundle, 'import'], env));
      const spec =
        fn === 'promote'
          ? {
              event: {
                version: '2.0',
                rawPath,
                requestContext: { http: { method: 'GET' } },
                headers: signRequest({
                  secret: webhook.secret,
                  keyId: webhook.id,
                  method: 'GET',
                  path: rawPath,
                  body: '',
                  now: new Date(),
                }),
                body: '',
                isBase64Encoded: false,
              },
            }
          : events[fn];
      const invoke = await child(
        [bundle, 'invoke', JSON.stringify(spec?.event ?? {}), String(spec?.remaining ?? 60_000)],
        env,
      );
      if (fn === 'promote' && !(invoke.result ?? '').includes('"statusCode":200')) {
        throw new Error(
          `cold start: promote did not answer 200 (signature or route changed?): ${invoke.result}`,
        );
      }
      results.push(coldStart(fn, dir, importRuns, invoke));
    }
  } finally {
    await fake.close();
  }
  return results;
}
