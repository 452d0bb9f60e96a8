/**
 * The dashboard's rollout view shows the revision's AnalysisRuns, in real headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core): a canary aborted by its analysis on the real test cluster shows its
 * Failed run, Argo's message, the counters and the metric's last measurement.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../tools/browser/chromium.js';
import {
  SANDBOX_CLUSTER,
  startSandboxDashboard,
  type SandboxDashboard,
} from '../../shared/runtimes/web/sandbox-dashboard.js';
import type { Journey } from '../journeys/harness.js';
import { abortedByAnalysis } from '../support/judged-rollout.js';

const WAIT = { timeout: 20_000 };

describe('the rollout view shows its analysis runs (headless Chromium, real cluster)', () => {
  let judged: { j: Journey; run: string } | undefined;
  let dash: SandboxDashboard | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    judged = await abortedByAnalysis('dash-an');
    dash = await startSandboxDashboard(judged.j.gw, { instanceId: 'sluice', port: 0, pollMs: 500 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await judged?.j.stop();
  });

  it('the Failed run, its message and the last measurement of its metric', async () => {
    const { j, run } = judged!;
    const page = await browser!.newPage();
    await page.goto(dash!.urls.viewer);
    await page.goto(`${new URL(dash!.urls.viewer).origin}/dashboard#/r/${SANDBOX_CLUSTER}/${j.ns}/reviews`);
    const block = page.locator(`[data-testid="analysis-run"][data-run="${run}"]`);
    await block.waitFor(WAIT);
    const head = (await block.locator('p').first().textContent()) ?? '';
    expect(head).toBe(`${run} (Step step 2) · Failed · 0 successful, 1 failed, 0 inconclusive, 0 error`);
    await expect(block.locator('[data-testid="analysis-message"]').textContent()).resolves.toBe(
      'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    const cells = await block.locator('tbody tr td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['success-rate', 'Failed', '0.2', 'Failed']);
    expect(cells[5]).toBe('0 successful, 1 failed, 0 inconclusive, 0 error');
    await expect(page.getByTestId('summary').textContent()).resolves.toMatch(/^Degraded \(RolloutAborted: /);
    await page.close();
  });
});
