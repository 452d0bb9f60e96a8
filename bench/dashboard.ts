/**
 * The dashboard's page weight (script + HTML + CSS, raw and gzipped, against the 150 KiB gzipped budget) and its
 * time to first render in headless Chromium: navigation start to the first fleet view drawn with data (the page's
 * `sluice-first-render` mark) and to the first contentful paint, over the sandbox's in-memory cluster with the
 * example Rollout plus `extra` copies of it (a bigger fleet table). No test cluster needed.
 */
import { launchChromium } from '../tools/browser/chromium.js';
import { buildPageScript, pageWeight, PAGE_BUDGET_BYTES } from '../scripts/dashboard-page.mjs';
import { PAGE_CSS, pageHtml } from '../shared/app/http-api/dashboard/page.js';
import { createGateway } from '../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../shared/adapters/kube/kubeconfig.js';
import { EXAMPLE_DIR, loadObjects, readManifests } from '../shared/runtimes/sandbox/example.js';
import { startFakeApiServer } from '../shared/runtimes/sandbox/fake-apiserver.js';
import { startSandboxDashboard } from '../shared/runtimes/web/sandbox-dashboard.js';
import { percentile } from './lib/stats.js';
import type { Row } from './lib/stats.js';

/** What {@link benchDashboard} measures. */
export interface DashboardResult {
  weight: { raw: number; gzipped: number; budget: number };
  rollouts: number;
  runs: number;
  firstRenderMs: { p50: number; max: number };
  firstContentfulPaintMs: { p50: number; max: number };
}

const summary = (xs: number[]): { p50: number; max: number } => ({
  p50: Math.round(percentile(xs, 50)),
  max: Math.round(Math.max(...xs)),
});

/** Measures the page weight and `runs` cold page loads (a fresh browser context each). */
export async function benchDashboard(runs = 10, extra = 49): Promise<DashboardResult> {
  const script = await buildPageScript();
  const weight = pageWeight([script, pageHtml({ mode: 'token', pollMs: 2000 }), PAGE_CSS]);
  const api = await startFakeApiServer();
  const objects = await readManifests(EXAMPLE_DIR);
  loadObjects(api.store, objects);
  for (let i = 0; i < extra; i++) {
    const copy = objects.filter((o) => o.kind === 'Rollout').map((o) => structuredClone(o));
    for (const o of copy) o.metadata.name = `${o.metadata.name}-${i}`;
    loadObjects(api.store, copy);
  }
  const gw = createGateway(toKubeConfig(parseKubeconfig(api.kubeconfig(), { allowLoopbackHttp: true })), {});
  const dash = await startSandboxDashboard(gw, { instanceId: 'sluice', port: 0 });
  const browser = await launchChromium();
  const render: number[] = [];
  const fcp: number[] = [];
  try {
    await fetch(new URL('/dashboard/app.js', dash.urls.operator)); // built once per process, before timing
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(dash.urls.operator);
      await page.waitForFunction(() => performance.getEntriesByName('sluice-first-render').length > 0);
      const t = await page.evaluate(() => ({
        render: performance.getEntriesByName('sluice-first-render')[0]?.startTime ?? NaN,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      }));
      render.push(t.render);
      fcp.push(t.fcp);
      await context.close();
    }
  } finally {
    await browser.close();
    await dash.close();
    await api.close();
  }
  return {
    weight: { ...weight, budget: PAGE_BUDGET_BYTES },
    rollouts: extra + 1,
    runs,
    firstRenderMs: summary(render),
    firstContentfulPaintMs: summary(fcp),
  };
}

/** The printed rows. */
export function dashboardRows(d: DashboardResult): Row[] {
  const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  return [
    {
      section: '8 dashboard',
      metric: 'page weight (script + HTML + CSS), gzipped (raw)',
      value: `${kib(d.weight.gzipped)} (${kib(d.weight.raw)})`,
      limit: kib(d.weight.budget),
      goal: '< 150 KiB gzipped',
      met: d.weight.gzipped < d.weight.budget,
    },
    {
      section: '8 dashboard',
      metric: `first render of the fleet (${d.rollouts} rollouts) p50/max, n=${d.runs}`,
      value: `${d.firstRenderMs.p50} / ${d.firstRenderMs.max} ms`,
      goal: 'navigation start → fleet drawn with data',
    },
    {
      section: '8 dashboard',
      metric: `first contentful paint p50/max, n=${d.runs}`,
      value: `${d.firstContentfulPaintMs.p50} / ${d.firstContentfulPaintMs.max} ms`,
    },
  ];
}
