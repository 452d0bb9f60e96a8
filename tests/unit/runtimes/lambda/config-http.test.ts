import { describe, expect, it } from '@jest/globals';
import { ConfigError, readConfig } from '../../../../shared/runtimes/lambda/config.js';
import {
  MAX_BODY_BYTES,
  parseActionBody,
  parseRoute,
  rawBody,
  requireJson,
} from '../../../../shared/app/http-api/request.js';
import { HttpError } from '../../../../shared/app/http-api/response.js';
import { parseStepDetail, transitionEvent } from '../../../../shared/app/contract.js';

const ENV = {
  SLUICE_CLUSTERS: '[]',
  SLUICE_EVENT_BUS: 'sluice-prod',
  SLUICE_INSTANCE_ID: 'sluice',
  SLUICE_WEBHOOK_SECRET_ID: 'sluice/webhook',
};

describe('readConfig', () => {
  it('reads a complete environment into a frozen config with defaults', () => {
    const c = readConfig(ENV);
    expect(c).toMatchObject({ eventBusName: 'sluice-prod', secretsCacheSeconds: 300, logLevel: 'info' });
    expect(Object.isFrozen(c)).toBe(true);
  });
  it.each([
    {
      title: 'a missing bus name',
      env: { ...ENV, SLUICE_EVENT_BUS: '' },
      message: /SLUICE_EVENT_BUS is required/,
    },
    {
      title: 'clusters that are not JSON',
      env: { ...ENV, SLUICE_CLUSTERS: '[' },
      message: /SLUICE_CLUSTERS is not valid JSON/,
    },
    {
      title: 'a cache over 5 minutes',
      env: { ...ENV, SLUICE_SECRETS_CACHE_SECONDS: '600' },
      message: /SLUICE_SECRETS_CACHE_SECONDS must be an integer in 0..300/,
    },
    {
      title: 'an unknown log level',
      env: { ...ENV, LOG_LEVEL: 'loud' },
      message: /LOG_LEVEL must be one of/,
    },
  ])('fails fast naming the variable for $title', ({ env, message }) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});

const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof HttpError ? err.statusCode : -1;
  }
};

describe('readConfig: the dashboard JWT settings', () => {
  const DASH = {
    SLUICE_DASHBOARD_JWT_ISSUER: 'https://issuer.example',
    SLUICE_DASHBOARD_JWT_AUDIENCE: 'sluice, sluice-cli',
  };
  it('reads the issuer and the audiences; without them there is no dashboard', () => {
    expect(readConfig({ ...ENV, ...DASH }).dashboard).toEqual({
      issuer: 'https://issuer.example',
      audience: ['sluice', 'sluice-cli'],
    });
    expect(readConfig(ENV).dashboard).toBeUndefined();
  });
  it.each([
    [{ SLUICE_DASHBOARD_JWT_ISSUER: 'https://issuer.example' }, /must be set together/],
    [{ SLUICE_DASHBOARD_JWT_AUDIENCE: 'sluice' }, /must be set together/],
    [{ ...DASH, SLUICE_DASHBOARD_JWT_ISSUER: 'http://issuer.example' }, /must be an https URL/],
  ])('refuses %p', (env, message) => {
    expect(() => readConfig({ ...ENV, ...env })).toThrow(ConfigError);
    expect(() => readConfig({ ...ENV, ...env })).toThrow(message);
  });
});

describe('promotion API request checks', () => {
  it.each([
    {
      title: 'a body at the cap is accepted',
      body: 'x'.repeat(MAX_BODY_BYTES),
      base64: false,
      code: undefined,
    },
    { title: 'one byte over the cap is 413', body: 'x'.repeat(MAX_BODY_BYTES + 1), base64: false, code: 413 },
    {
      title: 'multi-byte characters count as bytes',
      body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1),
      base64: false,
      code: 413,
    },
    {
      title: 'an oversized base64 body is 413 before decoding',
      body: 'A'.repeat(MAX_BODY_BYTES * 2),
      base64: true,
      code: 413,
    },
  ])('$title', ({ body, base64, code }) => {
    expect(status(() => rawBody({ body, isBase64Encoded: base64 }))).toBe(code);
  });

  it.each([
    {
      title: 'POST with an action',
      method: 'POST',
      path: '/v1/clusters/c1/namespaces/shop/rollouts/reviews/promote-full',
      code: undefined,
    },
    {
      title: 'GET without an action',
      method: 'GET',
      path: '/v1/clusters/c1/namespaces/shop/rollouts/reviews',
      code: undefined,
    },
    {
      title: 'GET with an action is 405',
      method: 'GET',
      path: '/v1/clusters/c1/namespaces/shop/rollouts/reviews/abort',
      code: 405,
    },
    {
      title: 'an unknown action is 404',
      method: 'POST',
      path: '/v1/clusters/c1/namespaces/shop/rollouts/reviews/delete',
      code: 404,
    },
    {
      title: 'an invalid namespace is 404',
      method: 'POST',
      path: '/v1/clusters/c1/namespaces/Shop_1/rollouts/reviews/abort',
      code: 404,
    },
  ])('route: $title', ({ method, path, code }) => {
    expect(status(() => parseRoute(method, path))).toBe(code);
  });

  it('parses a route into its parts', () => {
    expect(parseRoute('POST', '/v1/clusters/eu-1/namespaces/shop/rollouts/reviews/abort')).toEqual({
      cluster: 'eu-1',
      namespace: 'shop',
      name: 'reviews',
      action: 'abort',
    });
  });

  it.each([
    { title: 'application/json with charset', type: 'application/json; charset=utf-8', code: undefined },
    { title: 'text/plain is 415', type: 'text/plain', code: 415 },
    { title: 'a missing content type is 415', type: undefined, code: 415 },
  ])('content type: $title', ({ type, code }) => {
    expect(status(() => requireJson(type ? { 'content-type': type } : {}, Buffer.from('{}')))).toBe(code);
  });

  it.each([
    { title: 'an empty body is {}', body: '', code: undefined },
    { title: 'expectedStep 0', body: '{"expectedStep":0}', code: undefined },
    { title: 'a fractional expectedStep is 400', body: '{"expectedStep":1.5}', code: 400 },
    { title: 'an array body is 400', body: '[]', code: 400 },
    { title: 'null is 400', body: 'null', code: 400 },
    { title: 'a numeric reason is 400', body: '{"reason":7}', code: 400 },
  ])('body: $title', ({ body, code }) => {
    expect(status(() => parseActionBody(Buffer.from(body)))).toBe(code);
  });

  it.each(['__proto__', 'constructor'])('a %s key is a 400 naming the key', (key) => {
    const body = Buffer.from(`{"${key}":{"expectedStep":1},"reason":"x"}`);
    expect(() => parseActionBody(body)).toThrow(`unknown field "${key}"`);
  });
});

describe('bus events', () => {
  it('names the transition as the detail-type and carries steps before/after', () => {
    const e = transitionEvent('eu-1', 'shop', {
      rollout: 'reviews',
      outcome: 'ran',
      stepBefore: 0,
      stepAfter: 1,
      writes: 3,
      transition: 'step-completed',
      reason: 'setWeight 20 reached',
      followUp: true,
    });
    expect(e).toEqual({
      detailType: 'sluice.step-completed',
      detail: {
        cluster: 'eu-1',
        namespace: 'shop',
        rollout: 'reviews',
        transition: 'step-completed',
        reason: 'setWeight 20 reached',
        stepBefore: 0,
        stepAfter: 1,
      },
    });
  });
  it('emits no notice for a status-only commit', () => {
    expect(
      transitionEvent('c', 'n', {
        rollout: 'r',
        outcome: 'ran',
        writes: 1,
        transition: 'status-only',
        reason: '',
        followUp: false,
      }),
    ).toBeUndefined();
  });
  it.each([
    {
      title: 'a missing cluster',
      detail: { namespace: 'n', rollout: 'r' },
      message: /cluster must be a string/,
    },
    {
      title: 'a negative expectedStep',
      detail: { cluster: 'c', namespace: 'n', rollout: 'r', expectedStep: -1 },
      message: /expectedStep/,
    },
  ])('rejects a step detail with $title', ({ detail, message }) => {
    expect(() => parseStepDetail(detail)).toThrow(message);
  });
});
