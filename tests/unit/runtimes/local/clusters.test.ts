/** `sluice run`'s clusters and directory: the namespaces of a namespace-scoped install. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { loadClusters, runClusterBound } from '../../../../shared/runtimes/local/clusters.js';
import { localDirectory } from '../../../../shared/runtimes/local/directory.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const kubeconfig = stringify({
  clusters: [
    { name: 'c', cluster: { server: 'https://kube.example:6443', 'certificate-authority-data': CA } },
  ],
  users: [{ name: 'u', user: { token: 't' } }],
  contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u' } }],
});

function files(): { kc: string; registry: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-clusters-'));
  const kc = path.join(dir, 'kubeconfig');
  writeFileSync(kc, kubeconfig);
  const registry = path.join(dir, 'registry.json');
  writeFileSync(
    registry,
    JSON.stringify([{ name: 'eu-1', source: 'file', path: 'kubeconfig', namespaces: ['cart'] }]),
  );
  return { kc, registry };
}

describe('namespaces of sluice run', () => {
  it('--namespace scopes the --kubeconfig clusters; a registry entry keeps its own; none means all', async () => {
    const { kc, registry } = files();
    const clusters = await loadClusters({
      kubeconfigs: [kc],
      names: [],
      registry,
      namespaces: ['shop', 'web'],
      allowLoopbackHttp: false,
    });
    const dir = localDirectory(clusters);
    expect(dir.names()).toEqual(['dev', 'eu-1']);
    expect(dir.namespaces?.('dev')).toEqual(['shop', 'web']);
    expect(dir.namespaces?.('eu-1')).toEqual(['cart']);
    const all = localDirectory(
      await loadClusters({ kubeconfigs: [kc], names: [], allowLoopbackHttp: false }),
    );
    expect(all.namespaces?.('dev')).toBeUndefined();
  });

  it('refuses a --namespace that is not a namespace name', async () => {
    const { kc } = files();
    await expect(
      loadClusters({ kubeconfigs: [kc], names: [], namespaces: ['Shop'], allowLoopbackHttp: false }),
    ).rejects.toThrow('--namespace "Shop" is not a namespace name (a DNS label)');
  });
});

describe('runClusterBound: sluice run has one client per cluster, so it gets the whole bound', () => {
  it.each<[string, NodeJS.ProcessEnv, { qps: number; burst: number }]>([
    ["Argo's defaults", {}, { qps: 40, burst: 80 }],
    [
      'the configured bound',
      { SLUICE_CLUSTER_QPS: '10', SLUICE_CLUSTER_BURST: ' 15 ' },
      { qps: 10, burst: 15 },
    ],
  ])('%s', (_title, env, want) => {
    expect(runClusterBound(env)).toEqual(want);
  });

  it.each<[NodeJS.ProcessEnv, RegExp]>([
    [{ SLUICE_CLUSTER_QPS: '0' }, /SLUICE_CLUSTER_QPS must be a positive integer, got "0"/],
    [{ SLUICE_CLUSTER_BURST: 'lots' }, /SLUICE_CLUSTER_BURST must be a positive integer, got "lots"/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => runClusterBound(env)).toThrow(message);
  });
});
