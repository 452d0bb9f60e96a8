/** Refused Istio edits: a typed reason, and Argo's message for an undecodable section. */
import { describe, expect, it } from '@jest/globals';
import { IstioError, unparsableSectionMessage } from '../../../../shared/core/istio/errors.js';

describe('IstioError', () => {
  it('carries its reason, message and cause', () => {
    const cause = new Error('inner');
    const e = new IstioError('HTTP Route "x" is not found in the defined Virtual Service.', 'RouteNotFound', {
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('IstioError');
    expect(e.reason).toBe('RouteNotFound');
    expect(e.message).toBe('HTTP Route "x" is not found in the defined Virtual Service.');
    expect(e.cause).toBe(cause);
  });
});

describe('unparsableSectionMessage', () => {
  it.each([
    { kind: 'HTTP', want: 'Unable to get HTTP routes for Istio VirtualService' },
    { kind: 'TLS', want: 'Unable to get TLS routes for Istio VirtualService' },
    { kind: 'TCP', want: 'Unable to get TCP routes for Istio VirtualService' },
  ] as const)('$kind', ({ kind, want }) => {
    expect(unparsableSectionMessage(kind)).toBe(want);
  });
});
