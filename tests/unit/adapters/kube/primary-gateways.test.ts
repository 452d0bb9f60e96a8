import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { PrimaryGateways } from '../../../../shared/adapters/kube/primary-gateways.js';
import type { KubeGateway } from '../../../../shared/app/kube-port/gateway.js';
import { KubeApiError } from '../../../../shared/app/kube-port/errors.js';
import {
  PrimaryClusterError,
  PRIMARY_CLUSTER_LABEL,
} from '../../../../shared/adapters/kube/primary-cluster.js';
import type { KubeObject } from '../../../../shared/core/model/types.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const kubeconfig = stringify({
  clusters: [
    { name: 'p', cluster: { server: 'https://primary.example:6443', 'certificate-authority-data': CA } },
  ],
  users: [{ name: 'u', user: { token: 'primary-token' } }],
  contexts: [{ name: 'x', context: { cluster: 'p', user: 'u' } }],
});
const secret = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'primary', namespace: 'sys', labels: { [PRIMARY_CLUSTER_LABEL]: 'true' } },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

/** A local gateway that serves `current()` for `get secrets sys/primary` and counts the reads. */
function localWith(current: () => KubeObject | undefined | Error) {
  let reads = 0;
  const fail = () => Promise.reject(new Error('not used'));
  const gw: KubeGateway = {
    get: async (resource, namespace, name) => {
      reads++;
      expect([resource, namespace, name]).toEqual(['secrets', 'sys', 'primary']);
      const value = current();
      if (value instanceof Error) throw value;
      return value;
    },
    list: fail,
    create: fail,
    patch: fail,
    mergePatch: fail,
    delete: fail,
    evict: fail,
    watch: () => ({ stop: () => undefined, done: Promise.resolve() }),
  };
  return { gw, reads: () => reads };
}

describe('PrimaryGateways', () => {
  it('caches the primary gateway per cluster for at most 5 minutes', async () => {
    let t = 0;
    const local = localWith(() => secret({ kubeconfig }));
    const p = new PrimaryGateways(async () => local.gw, {
      namespace: 'sys',
      name: 'primary',
      ttlMs: 60 * 60 * 1000,
      now: () => t,
    });
    const first = await p.gateway('eu-1');
    expect(first).toBeDefined();
    t = 5 * 60 * 1000 - 1;
    expect(await p.gateway('eu-1')).toBe(first);
    expect(local.reads()).toBe(1);
    t = 5 * 60 * 1000;
    const second = await p.gateway('eu-1');
    expect(second).not.toBe(first);
    expect(local.reads()).toBe(2);
    await p.gateway('us-1');
    expect(local.reads()).toBe(3);
  });

  it('caches "no Secret" too (the rollout cluster holds its own Istio objects)', async () => {
    const local = localWith(() => undefined);
    const p = new PrimaryGateways(async () => local.gw, { namespace: 'sys', name: 'primary' });
    expect(await p.gateway('eu-1')).toBeUndefined();
    expect(await p.gateway('eu-1')).toBeUndefined();
    expect(local.reads()).toBe(1);
  });

  it('never caches a failure: the next call reads the Secret again', async () => {
    let value: KubeObject | Error = secret({ a: kubeconfig, b: kubeconfig });
    const local = localWith(() => value);
    const p = new PrimaryGateways(async () => local.gw, { namespace: 'sys', name: 'primary' });
    await expect(p.gateway('eu-1')).rejects.toThrow(PrimaryClusterError);
    value = new KubeApiError(
      { verb: 'get', resource: 'secrets', namespace: 'sys', name: 'primary' },
      503,
      'ServiceUnavailable',
      'down',
    );
    await expect(p.gateway('eu-1')).rejects.toThrow(KubeApiError);
    value = secret({ kubeconfig });
    expect(await p.gateway('eu-1')).toBeDefined();
    expect(local.reads()).toBe(3);
  });

  it('answers undefined for a cluster the registry does not know, without reading anything', async () => {
    const local = localWith(() => secret({ kubeconfig }));
    const p = new PrimaryGateways(async () => undefined, { namespace: 'sys', name: 'primary' });
    expect(await p.gateway('nowhere')).toBeUndefined();
    expect(local.reads()).toBe(0);
  });
});
