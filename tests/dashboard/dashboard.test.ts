/**
 * The dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core), served by
 * `sluice run`'s control plane on the real test cluster: the fleet and rollout views follow a rollout as its
 * weights change, a viewer's click is refused (403) and changes nothing, requests without a valid token or from
 * another origin change nothing, a click on a stale page gets 409 and the page says so, and a click at the
 * indefinite pause promotes the rollout to Healthy. Writes docs/dashboard-fleet.png and docs/dashboard-rollout.png.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../tools/browser/chromium.js';
import { startControlPlane, type ControlPlane } from '../../shared/runtimes/local/control-plane.js';
import type { LocalToken } from '../../shared/app/http-api/dashboard/identity.js';
import { csrfFor } from '../../shared/app/http-api/dashboard/identity.js';
import { LABELS, type Rollout } from '../../shared/core/model/types.js';
import { applyObjects, adminRequest, createNamespace } from '../support/cluster.js';
import { applyOperatorAction } from '../../shared/app/actions.js';
import { startKubelet, type Kubelet } from '../support/kubelet.js';
import { adminGateway, setImage } from '../journeys/harness.js';
import { hostSeed, IMAGE_V2 } from '../journeys/fixtures.js';

const STEPS = [{ setWeight: 20 }, { pause: { duration: '2s' } }, { setWeight: 50 }, { pause: {} }];
const CLUSTER = 'test';
const DOCS = join(process.cwd(), 'docs');
const WAIT = { timeout: 45_000 };

const token = (name: string, role: LocalToken['role']): LocalToken => ({
  name,
  role,
  token: randomBytes(32).toString('hex'),
});
const OPERATOR = token('operator', 'operator');
const VIEWER = token('viewer', 'viewer');

async function rollout(ns: string): Promise<Rollout> {
  const res = await adminRequest('GET', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/reviews`);
  return res.body as unknown as Rollout;
}

async function operatorActions(ns: string): Promise<string[]> {
  const res = await adminRequest('GET', `/api/v1/namespaces/${ns}/events`);
  const items = (res.body as { items: { reason: string; message: string }[] }).items;
  return items.filter((e) => e.reason === 'OperatorAction').map((e) => e.message);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the dashboard in headless Chromium, on sluice run over the real test cluster', () => {
  let ns = '';
  let other = ''; // a second rollout, aborted: the fleet's marks and filters
  let kubelet: Kubelet | undefined;
  let otherKubelet: Kubelet | undefined;
  let cp: ControlPlane | undefined;
  let browser: Browser | undefined;
  let operator: BrowserContext | undefined;
  let url = '';
  const instanceId = `dash-${randomBytes(3).toString('hex')}`;
  const rolloutHash = (ns: string): string => `#/r/${CLUSTER}/${ns}/reviews`;
  const rowSelector = (): string => `tr[data-rollout="${CLUSTER}/${ns}/reviews"]`;

  const seed = async (namespace: string): Promise<void> => {
    const objects = hostSeed({ steps: STEPS }) as { kind: string; metadata: Record<string, unknown> }[];
    const r = objects.find((o) => o.kind === 'Rollout');
    if (!r) throw new Error('fixture has no Rollout');
    r.metadata.labels = { [LABELS.instanceId]: instanceId };
    await applyObjects(namespace, objects);
  };

  beforeAll(async () => {
    ns = await createNamespace('dashboard');
    other = await createNamespace('dashboard-b');
    await seed(ns);
    await seed(other);
    kubelet = startKubelet(ns);
    otherKubelet = startKubelet(other);
    cp = await startControlPlane({
      clusters: [{ name: CLUSTER, origin: 'test', server: 'test', gateway: adminGateway() }],
      instanceId,
      intervalMs: 300,
      host: '127.0.0.1',
      port: 0,
      secrets: [{ id: 'k', secret: randomBytes(16).toString('hex') }],
      watch: false,
      say: () => undefined,
      dashboard: { tokens: [OPERATOR, VIEWER], pollMs: 400 },
    });
    url = cp.url;
    browser = await launchChromium();
    operator = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await waitFor('v1 Healthy', async () => {
      const s = (await rollout(ns)).status;
      const o = (await rollout(other)).status;
      return s?.phase === 'Healthy' && s.stableRS && o?.phase === 'Healthy' ? true : undefined;
    });
    await setImage(other, 'reviews', IMAGE_V2);
    await waitFor('the second rollout at its indefinite pause', async () => {
      const o = (await rollout(other)).status;
      return o?.currentStepIndex === 3 && o.phase === 'Paused' ? true : undefined;
    });
    const aborted = await applyOperatorAction(
      { gateway: adminGateway(), now: () => new Date() },
      { namespace: other, name: 'reviews', action: 'abort', actor: 'test' },
    );
    if (!aborted.ok) throw new Error(`abort of ${other}/reviews: ${aborted.message}`);
    await waitFor('the second rollout Degraded', async () =>
      (await rollout(other)).status?.phase === 'Degraded' ? true : undefined,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await cp?.stop();
    await kubelet?.stop();
    await otherKubelet?.stop();
  });

  let fleetPage: Page;

  it('the fleet view follows the rollout as its weights change, without a reload', async () => {
    fleetPage = await (operator as BrowserContext).newPage();
    await fleetPage.goto(`${url}/dashboard?token=${OPERATOR.token}`);
    expect(new URL(fleetPage.url()).search).toBe(''); // the token left the address bar for a cookie
    await fleetPage.locator(rowSelector()).getByText('Healthy').waitFor(WAIT);
    await fleetPage.evaluate((sel) => {
      const w = window as unknown as { seen: string[]; loadedOnce: boolean };
      w.seen = [];
      w.loadedOnce = true;
      const record = (): void => {
        const cell = document.querySelector(`${sel} td[data-col="weight"]`)?.textContent ?? '';
        if (cell && w.seen.at(-1) !== cell) w.seen.push(cell);
      };
      record();
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    }, rowSelector());
    await setImage(ns, 'reviews', IMAGE_V2);
    const row = fleetPage.locator(rowSelector());
    await row.getByText('Paused for promotion').waitFor(WAIT);
    await expect(row.locator('td[data-col="weight"]').textContent()).resolves.toBe('50%');
    const seen = await fleetPage.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // v1 complete (100% on it), then the canary's weights as they change, up to the pause at 50%.
    expect(seen[0]).toBe('100%');
    expect(seen.at(-1)).toBe('50%');
    expect(seen.slice(1).every((w) => ['0%', '20%', '50%'].includes(w))).toBe(true);
    expect(await fleetPage.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(
      true,
    );
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('4/4');
    const otherRow = fleetPage.locator(`tr[data-rollout="${CLUSTER}/${other}/reviews"]`);
    await otherRow.getByText('Degraded').first().waitFor(WAIT);
    await expect(otherRow.locator('.mark').allTextContents()).resolves.toEqual(['Degraded', 'Aborted']);
    await fleetPage.screenshot({ path: join(DOCS, 'dashboard-fleet.png'), fullPage: true });
  });

  it('filters the fleet by phase and by name, through labelled controls', async () => {
    const rows = () =>
      fleetPage
        .locator('tbody tr[data-rollout]')
        .evaluateAll((trs) => trs.map((t) => t.getAttribute('data-rollout')));
    await fleetPage.getByLabel('Phase').selectOption('Degraded');
    await expect(rows()).resolves.toEqual([`${CLUSTER}/${other}/reviews`]);
    await fleetPage.getByLabel('Phase').selectOption('');
    await fleetPage.getByLabel('Namespace/name contains').fill(`${ns}/`);
    await expect(rows()).resolves.toEqual([`${CLUSTER}/${ns}/reviews`]);
    await fleetPage.getByLabel('Namespace/name contains').fill('');
    await fleetPage.getByLabel('Needs attention only').check();
    expect((await rows()).sort()).toEqual([`${CLUSTER}/${ns}/reviews`, `${CLUSTER}/${other}/reviews`].sort());
  });

  it('is keyboard-usable: Tab from the filters reaches the rollout link, Enter opens the rollout view', async () => {
    await fleetPage.getByLabel('Needs attention only').focus();
    const focused = () =>
      fleetPage.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-rollout'));
    const order: (string | null | undefined)[] = [];
    for (let i = 0; i < 5 && order.at(-1) !== `${CLUSTER}/${ns}/reviews`; i++) {
      await fleetPage.keyboard.press('Tab');
      order.push(await focused());
    }
    expect(order.at(-1)).toBe(`${CLUSTER}/${ns}/reviews`);
    await fleetPage.keyboard.press('Enter');
    await fleetPage.getByText('Waiting for: a promotion').waitFor(WAIT);
    await fleetPage.keyboard.press('Tab'); // from the focused main region to its first control
    expect(await fleetPage.evaluate(() => document.activeElement?.textContent)).toBe('← All rollouts');
  });

  it("a viewer's click is refused (403) and changes nothing", async () => {
    const viewer = await (browser as Browser).newContext();
    const page = await viewer.newPage();
    await page.goto(`${url}/dashboard?token=${VIEWER.token}`);
    await page.goto(`${url}/dashboard${rolloutHash(ns)}`);
    await page.getByText('Waiting for: a promotion').waitFor(WAIT);
    const before = await rollout(ns);
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByTestId('answer').getByText('refused (403)').waitFor(WAIT);
    expect(await page.getByTestId('answer').textContent()).toContain('operator role needed');
    const after = await rollout(ns);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(await operatorActions(ns)).toEqual([]);
    await viewer.close();
  });

  it('requests without a valid token or from another origin change nothing', async () => {
    const before = await rollout(ns);
    const path = `${url}/ui/v1/clusters/${CLUSTER}/namespaces/${ns}/rollouts/reviews/promote`;
    const body = JSON.stringify({ expectedStep: 3 });
    const json = { 'content-type': 'application/json' };
    const cookie = (t: string): string => `sluice_session=${t}`;
    const post = (headers: Record<string, string>) =>
      fetch(path, { method: 'POST', headers: { ...json, ...headers }, body }).then((r) => r.status);
    const csrf = csrfFor(OPERATOR.token);
    const cases: [string, Record<string, string>, number][] = [
      ['no token', { origin: url, 'x-sluice-csrf': csrf }, 401],
      ['a wrong token', { cookie: cookie('0'.repeat(64)), origin: url, 'x-sluice-csrf': csrf }, 401],
      [
        'another origin',
        { cookie: cookie(OPERATOR.token), origin: 'http://evil.example', 'x-sluice-csrf': csrf },
        403,
      ],
      ['no origin', { cookie: cookie(OPERATOR.token), 'x-sluice-csrf': csrf }, 403],
      ['no CSRF token', { cookie: cookie(OPERATOR.token), origin: url }, 403],
      [
        'a wrong CSRF token',
        { cookie: cookie(OPERATOR.token), origin: url, 'x-sluice-csrf': 'f'.repeat(64) },
        403,
      ],
    ];
    const got = [];
    for (const [what, headers] of cases) got.push([what, await post(headers)]);
    expect(got).toEqual(cases.map(([what, , status]) => [what, status]));
    const after = await rollout(ns);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(await operatorActions(ns)).toEqual([]);
  });

  it('a click at the indefinite pause promotes to Healthy; a click on a stale page gets 409 and says so', async () => {
    const ctx = operator as BrowserContext;
    const page = await ctx.newPage();
    await page.goto(`${url}/dashboard${rolloutHash(ns)}`);
    await page.getByText('Waiting for: a promotion').waitFor(WAIT);
    await page.locator('svg.chart').waitFor(WAIT);
    await page.screenshot({ path: join(DOCS, 'dashboard-rollout.png'), fullPage: true });

    const stale = await ctx.newPage();
    await stale.goto(`${url}/dashboard${rolloutHash(ns)}`);
    await stale.getByText('Waiting for: a promotion').waitFor(WAIT);
    await stale.route('**/ui/v1/clusters/**', (route) =>
      route.request().method() === 'GET' ? route.abort() : route.continue(),
    );

    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByTestId('answer').getByText('Promote: done').waitFor(WAIT);
    const healthy = await waitFor('Healthy on v2', async () => {
      const r = await rollout(ns);
      const s = r.status;
      return s?.phase === 'Healthy' && s.stableRS === s.currentPodHash ? r : undefined;
    });
    await page.getByTestId('summary').getByText('Healthy').waitFor(WAIT);
    await page.getByText('promote by local:operator').first().waitFor(WAIT);
    expect(await operatorActions(ns)).toEqual([
      expect.stringMatching(/^promote by local:operator: step 3\/4/),
    ]);

    await stale.getByRole('button', { name: 'Promote', exact: true }).click();
    const answer = stale.getByTestId('answer');
    await answer.getByText('refused (409)').waitFor(WAIT);
    expect(await answer.textContent()).toContain('This page was out of date');
    const after = await rollout(ns);
    expect(after.status?.currentStepIndex).toBe(healthy.status?.currentStepIndex);
    expect(await operatorActions(ns)).toHaveLength(1);
  });
});
