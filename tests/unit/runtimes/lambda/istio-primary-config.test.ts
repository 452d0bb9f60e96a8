import { describe, expect, it } from '@jest/globals';
import { ConfigError, readConfig } from '../../../../shared/runtimes/lambda/config.js';

const ENV = {
  SLUICE_CLUSTERS: '[]',
  SLUICE_EVENT_BUS: 'sluice-prod',
  SLUICE_INSTANCE_ID: 'sluice',
  SLUICE_WEBHOOK_SECRET_ID: 'sluice/webhook',
};

describe('the Istio primary-cluster Secret setting', () => {
  it.each([
    ['unset means no primary lookup', {}, undefined],
    [
      'a namespace alone means discovery by label',
      { SLUICE_ISTIO_PRIMARY_SECRET: 'istio-system' },
      { namespace: 'istio-system' },
    ],
    [
      'namespace/name means a get of that one Secret',
      { SLUICE_ISTIO_PRIMARY_SECRET: 'istio-system/istio-remote-secret-primary' },
      { namespace: 'istio-system', name: 'istio-remote-secret-primary' },
    ],
    [
      'a key picks the data key',
      {
        SLUICE_ISTIO_PRIMARY_SECRET: 'istio-system/primary',
        SLUICE_ISTIO_PRIMARY_SECRET_KEY: 'primary.yaml',
      },
      { namespace: 'istio-system', name: 'primary', key: 'primary.yaml' },
    ],
  ])('%s', (_title, env, expected) => {
    expect(readConfig({ ...ENV, ...env }).istioPrimary).toEqual(expected);
  });

  it.each([
    [
      'three segments',
      { SLUICE_ISTIO_PRIMARY_SECRET: 'a/b/c' },
      /must be <namespace>\/<name> or <namespace>/,
    ],
    ['an upper-case namespace', { SLUICE_ISTIO_PRIMARY_SECRET: 'Istio/x' }, /must be <namespace>\/<name>/],
    ['an empty name', { SLUICE_ISTIO_PRIMARY_SECRET: 'istio-system/' }, /must be <namespace>\/<name>/],
    [
      'a key with a slash',
      { SLUICE_ISTIO_PRIMARY_SECRET: 'istio-system/p', SLUICE_ISTIO_PRIMARY_SECRET_KEY: 'a/b' },
      /SLUICE_ISTIO_PRIMARY_SECRET_KEY is not a Secret data key/,
    ],
    [
      'a key without a Secret',
      { SLUICE_ISTIO_PRIMARY_SECRET_KEY: 'config' },
      /SLUICE_ISTIO_PRIMARY_SECRET_KEY is set but SLUICE_ISTIO_PRIMARY_SECRET is not/,
    ],
  ])('rejects %s, naming the variable', (_title, env, message) => {
    expect(() => readConfig({ ...ENV, ...env })).toThrow(ConfigError);
    expect(() => readConfig({ ...ENV, ...env })).toThrow(message);
  });
});
