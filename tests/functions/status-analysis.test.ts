/**
 * The current AnalysisRuns of a Rollout in the signed status API (`GET /v1/.../rollouts/{name}`) and in `sluice
 * status`, on the real cluster: a canary aborted by its analysis shows its Failed run, Argo's message, the counters
 * and the metric's last measurement; a Rollout without analysis answers an empty list.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApiHandler } from '../../shared/app/http-api/promote.js';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { describeRollout, formatStatus } from '../../shared/app/status-view.js';
import type { ApiDeps } from '../../shared/app/ports.js';
import type { Journey } from '../journeys/harness.js';
import { startJourney } from '../journeys/harness.js';
import { hostSeed } from '../journeys/fixtures.js';
import { abortedByAnalysis } from '../support/judged-rollout.js';
import { silentLogger } from '../../shared/app/logger.js';

const KEY = { id: 'k1', secret: 'status-analysis-test-secret-0123456789' };
const WHY = 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';

async function getRollout(j: Journey): Promise<{ status: number; body: Record<string, unknown> }> {
  const deps: ApiDeps = {
    instanceId: 'sluice',
    clusters: { names: () => ['test'], gateway: async (c) => (c === 'test' ? j.gw : undefined) },
    bus: { send: async () => undefined },
    now: () => new Date(),
    webhookSecrets: async () => [KEY],
    signatureToleranceSeconds: 300,
  };
  const path = `/v1/clusters/test/namespaces/${j.ns}/rollouts/reviews`;
  const headers = signRequest({
    secret: KEY.secret,
    keyId: KEY.id,
    method: 'GET',
    path,
    body: '',
    now: new Date(),
  });
  const { response } = await createApiHandler(async () => deps)(
    { method: 'GET', path, headers, body: Buffer.alloc(0) },
    silentLogger,
  );
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

describe('AnalysisRuns in the status API and sluice status', () => {
  let judged: { j: Journey; run: string };
  let plain: Journey;
  beforeAll(async () => {
    judged = await abortedByAnalysis('st-an');
    plain = await startJourney('st-plain', hostSeed({ steps: [{ setWeight: 20 }] }));
  });
  afterAll(async () => {
    await judged?.j.stop();
    await plain?.stop();
  });

  it('GET answers the Failed run with its message, counters and last measurement', async () => {
    const { status, body } = await getRollout(judged.j);
    expect(status).toBe(200);
    expect(body.analysisRuns).toEqual([
      expect.objectContaining({
        name: judged.run,
        kind: 'Step',
        stepIndex: 1,
        phase: 'Failed',
        message: WHY,
        current: true,
        count: 1,
        successful: 0,
        failed: 1,
        inconclusive: 0,
        error: 0,
        metrics: [
          expect.objectContaining({
            name: 'success-rate',
            phase: 'Failed',
            failed: 1,
            last: expect.objectContaining({ phase: 'Failed', value: '0.2' }),
          }),
        ],
      }),
    ]);
    expect((body.status as { message?: string }).message).toBe(
      `RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${WHY}`,
    );
  });

  it('sluice status prints the run under ANALYSIS RUNS', async () => {
    const view = await describeRollout(judged.j.gw, judged.j.ns, 'reviews');
    const text = formatStatus(view!).split('\n');
    const at = text.indexOf('ANALYSIS RUNS');
    expect(at).toBeGreaterThan(0);
    expect(text[at + 1]).toBe(`  ${judged.run} (Step step 1): Failed  ✔ 0 ✖ 1 ? 0 ⚠ 0`);
    expect(text[at + 2]).toBe(`    Message: ${WHY}`);
    expect(text[at + 3]).toMatch(/^ {4}success-rate: Failed, last 0\.2 Failed at \S+Z {2}✔ 0 ✖ 1 \? 0 ⚠ 0$/);
  });

  it('a Rollout without analysis answers an empty list', async () => {
    const { status, body } = await getRollout(plain);
    expect(status).toBe(200);
    expect(body.analysisRuns).toEqual([]);
  });
});
