import { describe, it, expect } from '@jest/globals';
import { findPrimaryCluster, PrimaryClusterError } from '../../../../shared/adapters/kube/primary-cluster.js';
import { KubeconfigRejectedError } from '../../../../shared/adapters/kube/kubeconfig-parse.js';
import type { KubeGateway } from '../../../../shared/app/kube-port/gateway.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';
import { userOf, yamlOf } from './fixtures.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>, labelled = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name,
    namespace: 'istio-system',
    labels: labelled ? { 'istio.argoproj.io/primary-cluster': 'true' } : {},
  },
  data,
});

function gateway(secrets: KubeObject[]) {
  const calls: string[] = [];
  const gw = {
    list: async (r: string, ns: string, o?: { labelSelector?: string }) => {
      calls.push(`list ${r} ${ns} ${o?.labelSelector}`);
      return { items: secrets, resourceVersion: '1' };
    },
    get: async (r: string, ns: string, name: string) => {
      calls.push(`get ${r} ${ns}/${name}`);
      return secrets.find((s) => s.metadata.name === name);
    },
  } as unknown as KubeGateway;
  return { gw, calls };
}

describe('findPrimaryCluster', () => {
  it('returns undefined when no Secret is labelled (use the local cluster)', async () => {
    const { gw, calls } = gateway([]);
    expect(await findPrimaryCluster(gw, 'istio-system')).toBeUndefined();
    expect(calls).toEqual(['list secrets istio-system istio.argoproj.io/primary-cluster=true']);
  });

  it('parses the single key of the single labelled Secret', async () => {
    const { gw } = gateway([secret('istio-remote-secret-east', { east: b64(yamlOf()) })]);
    const found = await findPrimaryCluster(gw, 'istio-system');
    expect(found).toMatchObject({
      secretName: 'istio-remote-secret-east',
      key: 'east',
      kubeconfig: { cluster: { server: 'https://east.example.com:6443' } },
    });
  });

  it('refuses to pick between several labelled Secrets', async () => {
    const { gw } = gateway([secret('b', { x: b64(yamlOf()) }), secret('a', { x: b64(yamlOf()) })]);
    await expect(findPrimaryCluster(gw, 'istio-system')).rejects.toThrow(
      '2 Secrets in istio-system are labelled istio.argoproj.io/primary-cluster=true (a, b); keep one or name it',
    );
  });

  it('refuses to pick between several data keys, and uses the named one', async () => {
    const { gw } = gateway([secret('s', { west: b64('junk'), east: b64(yamlOf()) })]);
    await expect(findPrimaryCluster(gw, 'istio-system')).rejects.toThrow(
      'Secret istio-system/s has 2 data keys (east, west); name the one to use',
    );
    expect((await findPrimaryCluster(gw, 'istio-system', { key: 'east' }))?.key).toBe('east');
    await expect(findPrimaryCluster(gw, 'istio-system', { key: 'north' })).rejects.toThrow(
      PrimaryClusterError,
    );
  });

  it('reads a named Secret with get, and requires the label on it', async () => {
    const { gw, calls } = gateway([
      secret('s', { east: b64(yamlOf()) }),
      secret('plain', { east: b64(yamlOf()) }, false),
    ]);
    expect((await findPrimaryCluster(gw, 'istio-system', { name: 's' }))?.secretName).toBe('s');
    expect(calls).toEqual(['get secrets istio-system/s']);
    await expect(findPrimaryCluster(gw, 'istio-system', { name: 'plain' })).rejects.toThrow(
      'is not labelled',
    );
    expect(await findPrimaryCluster(gw, 'istio-system', { name: 'missing' })).toBeUndefined();
  });

  it('runs the kubeconfig through the allow-list', async () => {
    const evil = yamlOf((d) => (userOf(d).exec = { command: 'sh' }));
    const { gw } = gateway([secret('s', { east: b64(evil) })]);
    await expect(findPrimaryCluster(gw, 'istio-system')).rejects.toThrow(KubeconfigRejectedError);
    await expect(findPrimaryCluster(gw, 'istio-system')).rejects.toThrow('users[0].user.exec is not allowed');
  });
});
