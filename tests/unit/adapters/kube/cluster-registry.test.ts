import { describe, it, expect, afterEach } from '@jest/globals';
import { stringify } from 'yaml';
import { ClusterClients, parseClusterRegistry } from '../../../../shared/adapters/kube/cluster-registry.js';
import { KubeconfigRejectedError } from '../../../../shared/adapters/kube/kubeconfig.js';
import { startFaultServer, type FaultServer } from '../../../support/fault-proxy.js';

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const kubeconfig = (url: string, token: string, user: Record<string, unknown> = { token }) =>
  stringify({
    clusters: [{ name: 'c', cluster: { server: url } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  });
const ro = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'r', namespace: 'shop' },
};

/** A fake API server that accepts only `Bearer <valid>`. */
async function apiAccepting(valid: string) {
  server = await startFaultServer((req) =>
    req.authorization === `Bearer ${valid}`
      ? { status: 200, body: ro }
      : { status: 401, body: { kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' } },
  );
  return server;
}

const inline = { name: 'a', source: 'inline', kubeconfig: 'x' };

describe('parseClusterRegistry', () => {
  it('takes the namespaces a namespace-scoped install drives, on any source', () => {
    const reg = [{ ...inline, namespaces: ['shop', 'cart'] }];
    expect(parseClusterRegistry(reg)).toEqual(reg);
    const clients = new ClusterClients(parseClusterRegistry(reg), { fetchSecret: async () => '' });
    expect(clients.namespaces('a')).toEqual(['shop', 'cart']);
    const all = new ClusterClients(parseClusterRegistry([inline]), { fetchSecret: async () => '' });
    expect(all.namespaces('a')).toBeUndefined();
  });

  it('accepts every source kind', () => {
    const reg = [
      { name: 'a', source: 'secret', secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:a' },
      { name: 'b', source: 'file', path: '/opt/kubeconfig' },
      {
        name: 'c',
        source: 'eks',
        clusterName: 'prod',
        region: 'eu-west-1',
        endpoint: 'https://x.eks.amazonaws.com',
        caData: CA,
      },
      { name: 'd', source: 'inline', kubeconfig: 'apiVersion: v1' },
    ];
    expect(parseClusterRegistry(reg)).toEqual(reg);
    expect(parseClusterRegistry({ clusters: reg })).toHaveLength(4);
  });

  it('accepts allowMetricAddresses on any entry', () => {
    const reg = [
      { name: 'a', source: 'secret', secretId: 'kc/a', allowMetricAddresses: ['10.0.0.0/8', '127.0.0.1'] },
      { name: 'd', source: 'inline', kubeconfig: 'apiVersion: v1', allowMetricAddresses: [] },
    ];
    expect(parseClusterRegistry(reg)).toEqual(reg);
  });

  it.each([
    [{}, 'cluster registry must be a list'],
    [[null], 'clusters[0] must be an object'],
    [[{ name: 'Bad_Name', source: 'inline', kubeconfig: 'x' }], 'clusters[0].name must be a DNS label'],
    [[{ name: 'a', source: 'ftp' }], 'clusters[0].source must be one of secret, file, eks, inline'],
    [[{ name: 'a', source: 'secret' }], 'clusters[0].secretId must be a non-empty string'],
    [
      [{ name: 'a', source: 'secret', secretId: 's', path: '/x' }],
      'clusters[0].path is not a field of a "secret" entry',
    ],
    [
      [
        { name: 'a', source: 'inline', kubeconfig: 'x' },
        { name: 'a', source: 'inline', kubeconfig: 'y' },
      ],
      'clusters[1].name "a" is used twice',
    ],
    [[{ ...inline, namespaces: [] }], 'clusters[0].namespaces must be a non-empty list of namespace names'],
    [
      [{ ...inline, namespaces: 'shop' }],
      'clusters[0].namespaces must be a non-empty list of namespace names',
    ],
    [[{ ...inline, namespaces: ['shop', 'Shop'] }], 'clusters[0].namespaces[1] must be a namespace name'],
    [[{ ...inline, namespaces: ['shop', 'shop'] }], 'clusters[0].namespaces[1] "shop" is listed twice'],
    [
      [{ name: 'a', source: 'inline', kubeconfig: 'x', allowMetricAddresses: '10.0.0.0/8' }],
      'clusters[0].allowMetricAddresses must be a list of CIDR ranges or IPs',
    ],
    [
      [
        {
          name: 'a',
          source: 'inline',
          kubeconfig: 'x',
          allowMetricAddresses: ['10.0.0.0/8', 'prometheus.local'],
        },
      ],
      'clusters[0].allowMetricAddresses[1] "prometheus.local" is not an IP address or CIDR range',
    ],
  ])('rejects %p', (json, message) => {
    expect(() => parseClusterRegistry(json)).toThrow(message);
  });
});

describe('parseClusterRegistry: the access rules of the dashboard', () => {
  const entry = { name: 'eu-1', source: 'secret', secretId: 'sluice/eu-1' };
  it('keeps valid access rules on any kind of entry', () => {
    const access = [{ claim: 'groups', value: 'shop-devs', role: 'operator', namespaces: ['shop'] }];
    expect(parseClusterRegistry([{ ...entry, access }])).toEqual([{ ...entry, access }]);
    expect(parseClusterRegistry([entry])).toEqual([entry]);
  });
  it.each([
    [
      { claim: 'groups', value: 'x', role: 'admin' },
      'clusters[0].access[0].role must be one of viewer, operator',
    ],
    [{ claim: 'groups', value: 'x', role: 'viewer', extra: 1 }, 'clusters[0].access[0].extra is not a field'],
  ])('refuses a malformed rule, naming the entry and field', (rule, message) => {
    expect(() => parseClusterRegistry([{ ...entry, access: [rule] }])).toThrow(message);
  });
  it('refuses an access field that is not a list', () => {
    expect(() => parseClusterRegistry([{ ...entry, access: {} }])).toThrow(
      'clusters[0].access must be a list of access rules',
    );
  });
});

describe('ClusterClients', () => {
  it('builds a gateway from a secret and caches it for at most 5 minutes', async () => {
    const api = await apiAccepting('t1');
    let t = 0;
    const fetched: string[] = [];
    const clients = new ClusterClients([{ name: 'east', source: 'secret', secretId: 'sec-east' }], {
      fetchSecret: async (id) => (fetched.push(id), kubeconfig(api.url, 't1')),
      kubeconfig: { allowLoopbackHttp: true },
      ttlMs: 60 * 60 * 1000, // capped at 5 min
      now: () => t,
    });
    const gw = await clients.getGateway('east');
    expect((await gw.get('rollouts', 'shop', 'r'))?.metadata.name).toBe('r');
    t = 5 * 60 * 1000 - 1;
    await clients.getGateway('east');
    expect(fetched).toEqual(['sec-east']);
    t = 5 * 60 * 1000;
    await gw.get('rollouts', 'shop', 'r');
    expect(fetched).toEqual(['sec-east', 'sec-east']);
  });

  it('on a 401 invalidates, refetches the secret and retries once', async () => {
    const api = await apiAccepting('new');
    const tokens = ['old', 'new'];
    const clients = new ClusterClients([{ name: 'east', source: 'secret', secretId: 's' }], {
      fetchSecret: async () => kubeconfig(api.url, tokens.shift() ?? 'none'),
      kubeconfig: { allowLoopbackHttp: true },
    });
    const gw = await clients.getGateway('east');
    expect((await gw.get('rollouts', 'shop', 'r'))?.metadata.name).toBe('r');
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('fails after one rebuild when the fresh credentials are rejected too (no loop)', async () => {
    const api = await apiAccepting('never');
    let fetches = 0;
    const clients = new ClusterClients([{ name: 'east', source: 'secret', secretId: 's' }], {
      fetchSecret: async () => (fetches++, kubeconfig(api.url, 'bad')),
      kubeconfig: { allowLoopbackHttp: true },
    });
    const gw = await clients.getGateway('east');
    await expect(gw.get('rollouts', 'shop', 'r')).rejects.toThrow(
      'get rollouts.argoproj.io shop/r failed: 401 Unauthorized',
    );
    expect(fetches).toBe(2);
    expect(api.requests).toHaveLength(2);
  });

  it('rejects a secret whose kubeconfig fails the allow-list, and caches nothing', async () => {
    let fetches = 0;
    const clients = new ClusterClients([{ name: 'east', source: 'secret', secretId: 's' }], {
      fetchSecret: async () => (
        fetches++,
        kubeconfig('https://east.example.com', '', { exec: { command: 'aws' } })
      ),
    });
    await expect(clients.getGateway('east')).rejects.toThrow(KubeconfigRejectedError);
    await expect(clients.getGateway('east')).rejects.toThrow('users[0].user.exec is not allowed');
    expect(fetches).toBe(2);
  });

  it('builds EKS entries from a minted token, and names unknown clusters', async () => {
    const minted: string[] = [];
    const clients = new ClusterClients(
      [
        {
          name: 'prod',
          source: 'eks',
          clusterName: 'prod',
          region: 'eu-west-1',
          endpoint: 'https://x.eks.amazonaws.com',
          caData: CA,
        },
      ],
      { fetchSecret: async () => '', eksToken: async (e) => (minted.push(e.clusterName), 'k8s-aws-v1.abc') },
    );
    await clients.getGateway('prod');
    expect(minted).toEqual(['prod']);
    await expect(clients.getGateway('west')).rejects.toThrow('unknown cluster "west" (registry has: prod)');
  });
});
