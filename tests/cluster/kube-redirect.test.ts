/**
 * The Kubernetes client never follows a redirect off the cluster's server: an https "API server" (the test
 * cluster's serving certificate, SAN 127.0.0.1) answers every request with 307 to a plain http listener, which
 * records whether it was reached. Reads and watches fail naming the refused origin; the listener is never hit.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGateway } from '../../shared/adapters/kube/client-gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../shared/adapters/kube/kubeconfig.js';
import { readClusterFile } from '../../tools/test-cluster/cluster.js';
import { clusterInfo } from '../support/cluster.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
let plain: http.Server;
let redirector: https.Server;
const hits: string[] = [];
let redirects = 0;
let server = '';
let ca = '';

const listen = (s: http.Server | https.Server): Promise<number> =>
  new Promise((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as AddressInfo).port)));

beforeAll(async () => {
  const file = readClusterFile(clusterInfo().dir);
  ca = readFileSync(file.paths.certs.caCert, 'utf8');
  plain = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url} authorization=${req.headers.authorization ? 'yes' : 'no'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"kind":"Rollout","metadata":{"name":"stolen"}}');
  });
  const plainPort = await listen(plain);
  redirector = https.createServer(
    { cert: readFileSync(file.paths.certs.servingCert), key: readFileSync(file.paths.certs.servingKey) },
    (req, res) => {
      redirects++;
      res.writeHead(307, { location: `http://127.0.0.1:${plainPort}${req.url}` });
      res.end();
    },
  );
  server = `https://127.0.0.1:${await listen(redirector)}`;
});

afterAll(async () => {
  await new Promise((ok) => plain.close(ok));
  redirector.closeAllConnections();
  await new Promise((ok) => redirector.close(ok));
});

function gateway(onRequest?: (status: number) => void) {
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': b64(ca) } }],
    users: [{ name: 'u', user: { token: 'secret-token' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
  return createGateway(toKubeConfig(parseKubeconfig(kubeconfig)), {
    maxRetries: 0,
    ...(onRequest ? { onRequest: (r: { status: number }) => onRequest(r.status) } : {}),
  });
}

describe('a redirect from the https API server to plain http on another origin', () => {
  it('is not followed by a read: the read fails naming the refused origin, the http listener is never hit', async () => {
    const before = redirects;
    const err = await gateway()
      .get('rollouts', 'shop', 'reviews')
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(redirects).toBe(before + 1);
    expect(err?.message).toMatch(
      /^get rollouts\.argoproj\.io shop\/reviews failed: network ERR_CROSS_ORIGIN_REQUEST: refused a request to http:\/\/127\.0\.0\.1:\d+\/apis\/argoproj\.io\/v1alpha1\/namespaces\/shop\/rollouts\/reviews: the Kubernetes API server is https:\/\/127\.0\.0\.1:\d+/,
    );
    expect(hits).toEqual([]);
  });

  it('is not followed by a watch: the connect fails, the http listener is never hit', async () => {
    const before = redirects;
    const statuses: number[] = [];
    const handle = gateway((s) => statuses.push(s)).watch('virtualservices', 'shop', '1', () => undefined);
    const ended = await handle.done.then(
      () => 'ended without error',
      (e: unknown) => String(e),
    );
    expect(redirects).toBe(before + 1);
    // A failed connect ends the watch (the watch loop re-lists and retries); no event, nothing reached http.
    expect({ ended, statuses }).toEqual({ ended: 'ended without error', statuses: [0] });
    expect(hits).toEqual([]);
  });
});
