/**
 * Hostile kubeconfigs (catalogue rows K1, K2, K3): exec and auth-provider plugins, file paths, proxies, skipped TLS,
 * plain http, impersonation, servers off the allow-list, a wrong CA. Each is refused with an error naming the field,
 * and nothing runs, nothing is read, and no connection is made: the exec/cmd-path commands would create a marker
 * file, and the server is a loopback listener that counts connections.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import { createGateway } from '../../../shared/adapters/kube/client-gateway.js';
import {
  KubeconfigRejectedError,
  parseKubeconfig,
  toKubeConfig,
} from '../../../shared/adapters/kube/kubeconfig.js';
import { clusterInfo } from '../../support/cluster.js';
import { readClusterFile } from '../../../tools/test-cluster/cluster.js';
import { figures } from '../support/figures.js';
import { parse as parseYaml } from 'yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadClusters } from '../../../shared/runtimes/local/clusters.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function config(server: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}

export function kubeconfigSuite(): void {
  describe('hostile kubeconfigs', () => {
    it('each is refused naming the field; no program runs, no file is read, no connection is made', async () => {
      const marker = path.join(os.tmpdir(), `sluice-kubeconfig-marker-${process.pid}`);
      let connections = 0;
      const listener = net.createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
      const server = `https://127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
      const ca = {
        'certificate-authority-data': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
      };
      const token = { token: 'abc' };
      const cases: { name: string; text: string; field: RegExp; opts?: object }[] = [
        {
          name: 'exec plugin',
          text: config(server, ca, {
            exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: [marker] },
          }),
          field: /exec/,
        },
        {
          name: 'auth-provider cmd-path',
          text: config(server, ca, {
            'auth-provider': { name: 'gcp', config: { 'cmd-path': `touch ${marker}` } },
          }),
          field: /auth-provider/,
        },
        { name: 'tokenFile', text: config(server, ca, { tokenFile: '/etc/passwd' }), field: /tokenFile/ },
        {
          name: 'CA file path',
          text: config(server, { 'certificate-authority': '/etc/passwd' }, token),
          field: /certificate-authority/,
        },
        {
          name: 'client cert file paths',
          text: config(server, ca, { 'client-certificate': '/etc/passwd', 'client-key': '/etc/shadow' }),
          field: /client-(certificate|key)/,
        },
        {
          name: 'proxy-url',
          text: config(server, { ...ca, 'proxy-url': 'http://attacker.example:3128' }, token),
          field: /proxy-url/,
        },
        {
          name: 'insecure-skip-tls-verify',
          text: config(server, { ...ca, 'insecure-skip-tls-verify': true }, token),
          field: /insecure-skip-tls-verify/,
        },
        { name: 'no CA', text: config(server, {}, token), field: /certificate-authority-data/ },
        {
          name: 'plain http server',
          text: config(server.replace('https', 'http'), ca, token),
          field: /server/,
        },
        {
          name: 'impersonation',
          text: config(server, ca, { ...token, as: 'system:admin' }),
          field: /\bas\b/,
        },
        {
          name: 'basic auth',
          text: config(server, ca, { username: 'a', password: 'b' }),
          field: /username|password/,
        },
        {
          name: 'server off the allow-list',
          text: config(server, ca, token),
          field: /server|allow-list/,
          opts: { allowedServers: ['api.example.com'] },
        },
        { name: 'not YAML', text: '{{{', field: /kubeconfig rejected/ },
      ];
      const wrong: string[] = [];
      for (const c of cases) {
        let err: unknown;
        try {
          toKubeConfig(parseKubeconfig(c.text, c.opts ?? {}));
        } catch (e) {
          err = e;
        }
        const right = err instanceof KubeconfigRejectedError && c.field.test(err.message);
        figures.badInput(right);
        if (!right) wrong.push(`${c.name}: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
      listener.close();
      expect(wrong).toEqual([]);
      expect(existsSync(marker)).toBe(false);
      expect(connections).toBe(0);
      figures.cover('K1', 'K2', 'K3');
    });

    it('a wrong CA is a TLS error on the first attempt, with no retry and no fallback to an unverified connection', async () => {
      const info = clusterInfo();
      const file = readClusterFile(info.dir);
      // The serving certificate is a leaf, not the CA that signed it: verification must fail.
      const wrongCa = readFileSync(file.paths.certs.servingCert, 'utf8');
      const text = config(info.server, { 'certificate-authority-data': b64(wrongCa) }, { token: 'whatever' });
      let attempts = 0;
      const gw = createGateway(toKubeConfig(parseKubeconfig(text)), {
        onRequest: () => attempts++,
        backoff: { baseMs: 1, capMs: 5 },
      });
      const err = await gw.get('rollouts', 'default', 'x').then(
        () => undefined,
        (e: unknown) => e,
      );
      const right = err instanceof KubeApiError && err.code === 0 && attempts === 1;
      figures.badInput(right);
      expect({ code: (err as KubeApiError).code, attempts }).toEqual({ code: 0, attempts: 1 });
      figures.cover('K2');
    });
  });

  describe('--context chooses one context', () => {
    /** The test cluster's kubeconfig plus a context `cloud` whose user is an exec plugin (as EKS/GKE/AKS write). */
    function mixedFile(marker: string): string {
      const doc = parseYaml(clusterInfo().kubeconfigYaml) as {
        contexts: { name: string; context: Record<string, string> }[];
        users: unknown[];
        clusters: unknown[];
        'current-context'?: string;
      };
      const work = doc.contexts[0]!;
      doc.users.push({
        name: 'cloud-user',
        user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: [marker] } },
      });
      doc.clusters.push({ name: 'cloud', cluster: { server: 'https://cloud.example.com' } });
      doc.contexts.push({ name: 'cloud', context: { cluster: 'cloud', user: 'cloud-user' } });
      doc['current-context'] = 'cloud';
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-context-')), 'config');
      writeFileSync(file, stringify(doc));
      return `${file}\n${work.name}`;
    }

    it('an exec user under another context no longer refuses the file: the chosen one reaches the cluster', async () => {
      const marker = path.join(os.tmpdir(), `sluice-context-marker-${process.pid}`);
      const [file, work] = mixedFile(marker).split('\n') as [string, string];
      const [cluster] = await loadClusters({
        kubeconfigs: [file],
        names: [],
        context: work,
        allowLoopbackHttp: false,
      });
      expect(cluster!.name).toBe(work);
      // a real read through the chosen context's credentials (a missing Rollout is a 404, not a refusal)
      await expect(cluster!.gateway.get('rollouts', 'default', 'no-such-rollout')).resolves.toBeUndefined();
      expect(existsSync(marker)).toBe(false);
    });

    it('the chosen context with an exec user is refused with how to give sluice a credential it accepts', async () => {
      const marker = path.join(os.tmpdir(), `sluice-context-marker2-${process.pid}`);
      const [file] = mixedFile(marker).split('\n') as [string];
      const run = loadClusters({
        kubeconfigs: [file],
        names: [],
        context: 'cloud',
        allowLoopbackHttp: false,
      });
      await expect(run).rejects.toThrow(
        /users\[1\]\.user\.exec is not allowed \(it would run a local program\)/,
      );
      await expect(
        loadClusters({ kubeconfigs: [file], names: [], context: 'cloud', allowLoopbackHttp: false }),
      ).rejects.toThrow(/kubectl create token <serviceaccount>.*aws eks get-token/);
      // without --context the file is still refused as a whole (it is not a one-cluster file)
      await expect(
        loadClusters({ kubeconfigs: [file], names: [], allowLoopbackHttp: false }),
      ).rejects.toThrow(/kubeconfig rejected/);
      expect(existsSync(marker)).toBe(false);
      figures.badInput(true);
    });
  });
}
