import { describe, expect, it } from '@jest/globals';
import {
  PROBE_PATHS,
  Readiness,
  UNREADY_AFTER_FAILED_PASSES,
  isProbePath,
  probeAnswer,
} from '../../../../shared/runtimes/local/probes.js';
import type { ApiRequest } from '../../../../shared/app/http-api/promote.js';

const req = (method: string, path: string): ApiRequest => ({
  method,
  path,
  headers: {},
  body: Buffer.alloc(0),
});

describe('Readiness', () => {
  // Each row: failed clusters per schedule pass, in order → what /readyz says after them.
  it.each([
    [[], false, 'no pass has reached the API server yet'],
    [[1], false, 'no pass has reached the API server yet'],
    [[1, 1, 1], false, 'the last 3 passes could not reach the API server'],
    [[0], true, 'ok'],
    [[1, 0], true, 'ok'],
    [[0, 1], true, 'ok'],
    [[0, 2, 1], true, 'ok'],
    [[0, 1, 1, 1], false, 'the last 3 passes could not reach the API server'],
    [[0, 1, 1, 1, 1], false, 'the last 4 passes could not reach the API server'],
    [[0, 1, 1, 1, 0], true, 'ok'],
  ])('after passes failing %j clusters: ready %s (%s)', (passes, ready, reason) => {
    const r = new Readiness();
    for (const failed of passes) r.record(failed);
    expect(r.state()).toEqual({ ready, reason });
  });

  it('turns unready after UNREADY_AFTER_FAILED_PASSES failed passes in a row', () => {
    expect(UNREADY_AFTER_FAILED_PASSES).toBe(3);
  });
});

describe('probeAnswer', () => {
  it('answers /healthz 200 ok at once, whatever the readiness', () => {
    const a = probeAnswer(req('GET', '/healthz'), new Readiness());
    expect(a?.response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'ok\n',
    });
  });

  it('answers /readyz 503 with the short reason, then 200 once a pass reached the API server', () => {
    const r = new Readiness();
    expect(probeAnswer(req('GET', '/readyz'), r)?.response).toMatchObject({
      statusCode: 503,
      body: 'no pass has reached the API server yet\n',
    });
    r.record(0);
    expect(probeAnswer(req('HEAD', '/readyz'), r)?.response).toMatchObject({ statusCode: 200, body: 'ok\n' });
  });

  it.each([
    ['POST', '/healthz'],
    ['GET', '/healthz/'],
    ['GET', '/readyz/x'],
    ['GET', '/v1/clusters/a/namespaces/b/rollouts/c'],
    ['GET', '/dashboard'],
  ])('leaves %s %s to the API', (method, path) => {
    expect(probeAnswer(req(method, path), new Readiness())).toBeUndefined();
  });

  it('knows its paths', () => {
    expect(PROBE_PATHS).toEqual({ live: '/healthz', ready: '/readyz' });
    expect([isProbePath('/healthz'), isProbePath('/readyz'), isProbePath('/dashboard')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
