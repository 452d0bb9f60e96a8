import { describe, expect, it } from '@jest/globals';
import { KubeApiError, describeCall } from '../../../../shared/app/kube-port/errors.js';

const call = {
  verb: 'patch' as const,
  resource: 'virtualservices.networking.istio.io',
  namespace: 'shop',
  name: 'vs',
};

describe('KubeApiError', () => {
  it.each([
    {
      case: 'a 409 Conflict is a conflict',
      code: 409,
      reason: 'Conflict',
      detail: 'object was modified',
      conflict: true,
    },
    {
      case: 'a 422 from a failed JSON Patch test is a conflict',
      code: 422,
      reason: 'Invalid',
      detail: 'JSON Patch test operation failed: resourceVersion is 7, expected 5',
      conflict: true,
    },
    {
      case: 'an old server’s 500 "testing value" is a conflict',
      code: 500,
      reason: 'InternalError',
      detail: 'testing value /metadata/resourceVersion failed',
      conflict: true,
    },
    {
      case: 'a plain 422 Invalid is not a conflict',
      code: 422,
      reason: 'Invalid',
      detail: 'spec.http[0].route[0].weight: Invalid value',
      conflict: false,
    },
    {
      case: 'a 403 is not a conflict',
      code: 403,
      reason: 'Forbidden',
      detail: 'cannot patch',
      conflict: false,
    },
  ])('$case', ({ code, reason, detail, conflict }) => {
    expect(new KubeApiError(call, code, reason, detail).isConflict).toBe(conflict);
  });

  it.each([
    { code: 0, retryable: true },
    { code: 429, retryable: true },
    { code: 503, retryable: true },
    { code: 404, retryable: false },
    { code: 409, retryable: false },
  ])('code $code is retryable: $retryable', ({ code, retryable }) => {
    expect(new KubeApiError(call, code, 'x', 'y').isRetryable).toBe(retryable);
  });

  it('names the verb, resource, namespace and object in its message', () => {
    const err = new KubeApiError(call, 403, 'Forbidden', 'denied');
    expect(err.message).toBe(
      'patch virtualservices.networking.istio.io shop/vs failed: 403 Forbidden: denied',
    );
    expect(describeCall({ verb: 'list', resource: 'rollouts.argoproj.io' })).toBe(
      'list rollouts.argoproj.io *',
    );
  });
});
