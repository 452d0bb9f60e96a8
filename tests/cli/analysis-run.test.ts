/**
 * `sluice analysis run` against the real API server and a loopback provider: the template (with a nested template and
 * a Secret-backed arg) is read, each metric measured once and printed with its query, value and verdict; nothing is
 * created in the cluster, the Secret's value is sent to the provider but never printed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { main } from '../../shared/runtimes/cli/main.js';
import type { Io } from '../../shared/runtimes/cli/args.js';
import { adminRequest, clusterInfo, createNamespace } from '../support/cluster.js';
import { startProviderServer, vectorAnswer, type ProviderServer } from '../support/provider-server.js';

const API = '/apis/argoproj.io/v1alpha1';
let server: ProviderServer;
let ns = '';
let health = 'ok';
const clusterTemplate = `sluice-cli-${randomBytes(4).toString('hex')}`;

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} };
}

async function create(path: string, body: unknown): Promise<void> {
  const res = await adminRequest('POST', path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

beforeAll(async () => {
  server = await startProviderServer();
  server.route('prom', (_q, res) => res.writeHead(200).end(vectorAnswer([0.993])));
  server.route('health', (_q, res) => res.writeHead(200).end(JSON.stringify({ status: health })));
  ns = await createNamespace('analysis-cli');
  await create(`/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'metrics-token' },
    data: { token: Buffer.from('s3cret-token').toString('base64') },
  });
  await create(`${API}/namespaces/${ns}/analysistemplates`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate' },
    spec: {
      args: [
        { name: 'service' },
        { name: 'address' },
        { name: 'token', valueFrom: { secretKeyRef: { name: 'metrics-token', key: 'token' } } },
      ],
      metrics: [
        {
          name: 'success-rate',
          successCondition: 'result[0] >= 0.95',
          provider: {
            prometheus: {
              address: '{{args.address}}/prom',
              query: 'sum(rate(istio_requests_total{destination_service_name="{{args.service}}"}[1m]))',
              headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
            },
          },
        },
      ],
      templates: [{ templateName: 'health' }],
    },
  });
  await create(`${API}/namespaces/${ns}/analysistemplates`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'health' },
    spec: {
      args: [{ name: 'address' }],
      metrics: [
        {
          name: 'health',
          successCondition: 'result == "ok"',
          provider: { web: { url: '{{args.address}}/health', jsonPath: '{$.status}' } },
        },
      ],
    },
  });
  await create(`${API}/clusteranalysistemplates`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ClusterAnalysisTemplate',
    metadata: { name: clusterTemplate },
    spec: {
      metrics: [{ name: 'up', provider: { web: { url: `${server.url}/health`, jsonPath: '{$.status}' } } }],
    },
  });
});

afterAll(async () => {
  await adminRequest('DELETE', `${API}/clusteranalysistemplates/${clusterTemplate}`);
  await server?.close();
});

const kc = (): string[] => ['--kubeconfig', clusterInfo().kubeconfigPath];
const allow = ['--allow-metric-address', '127.0.0.1'];
const runIt = (...extra: string[]) => {
  const io = capture();
  const args = ['analysis', 'run', 'success-rate', '--namespace', ns, '--arg', 'service=reviews'];
  return { io, code: main([...args, '--arg', `address=${server.url}`, ...extra, ...kc()], io) };
};

describe('sluice analysis run', () => {
  it('measures every metric now and prints query, value and verdict; creates nothing; never prints the Secret', async () => {
    health = 'ok';
    const before = server.seen('prom').length;
    const { io, code } = runIt(...allow);
    expect(await code).toBe(0);
    expect(io.stdout).toEqual([
      `AnalysisTemplate ${ns}/success-rate: 2 metric(s) measured now, nothing created`,
      'metric success-rate (prometheus)',
      `  query:   sum(rate(istio_requests_total{destination_service_name="reviews"}[1m])) @ ${server.url}/prom`,
      '  value:   [0.993]',
      '  verdict: Successful',
      'metric health (web)',
      `  query:   GET ${server.url}/health`,
      '  value:   "ok"',
      '  verdict: Successful',
    ]);
    const sent = server.seen('prom').slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe('Bearer s3cret-token');
    expect(io.stdout.join('\n')).not.toContain('s3cret');
    const runs = await adminRequest('GET', `${API}/namespaces/${ns}/analysisruns`);
    expect(runs.body.items).toEqual([]);
  });

  it('exit 1 and the verdict when a metric fails', async () => {
    health = 'degraded';
    const { io, code } = runIt(...allow);
    expect(await code).toBe(1);
    expect(io.stdout).toContain('  value:   "degraded"');
    expect(io.stdout.filter((l) => l.startsWith('  verdict:'))).toEqual([
      '  verdict: Successful',
      '  verdict: Failed',
    ]);
  });

  it('a provider address outside the allow-list: Error verdicts and how to allow it', async () => {
    const { io, code } = runIt();
    expect(await code).toBe(1);
    expect(io.stdout.filter((l) => l.startsWith('  verdict:'))).toEqual([
      expect.stringMatching(
        /^ {2}verdict: Error: metric provider address 127\.0\.0\.1:\d+ resolves to 127\.0\.0\.1 \(loopback\)/,
      ),
      expect.stringMatching(/^ {2}verdict: Error: metric provider address .* \(loopback\)/),
    ]);
    expect(io.stdout.at(-1)).toContain('--allow-metric-address');
  });

  it('a ClusterAnalysisTemplate with --cluster-scope', async () => {
    health = 'ok';
    const io = capture();
    const code = await main(['analysis', 'run', clusterTemplate, '--cluster-scope', ...allow, ...kc()], io);
    expect(code).toBe(0);
    expect(io.stdout[0]).toBe(
      `ClusterAnalysisTemplate ${clusterTemplate}: 1 metric(s) measured now, nothing created`,
    );
  });

  it.each([
    [
      ['success-rate', '--arg', 'service=reviews'],
      'args.address was not resolved (pass --arg address=VALUE)',
    ],
    [['missing'], "AnalysisTemplate 'missing' not found"],
    [['health', '--arg', 'adress=x'], 'has no arg "adress" (args: address)'],
  ])('cannot evaluate %j: exit 1, %s, no request', async (argv, message) => {
    const seen = server.seen('prom').length + server.seen('health').length;
    const io = capture();
    expect(await main(['analysis', 'run', ...argv, '--namespace', ns, ...allow, ...kc()], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain(message);
    expect(server.seen('prom').length + server.seen('health').length).toBe(seen);
  });

  it.each([
    [['analysis', 'run', 'x', '--arg', 'novalue'], '--arg must be NAME=VALUE, got "novalue"'],
    [['analysis', 'run'], 'usage: sluice analysis run <template>'],
    [
      ['analysis', 'run', 'x', '--allow-metric-address', 'prometheus'],
      '--allow-metric-address[0] "prometheus"',
    ],
    [['analysis', 'frobnicate'], 'unknown analysis command "frobnicate"'],
  ])('bad usage %j: exit 2', async (argv, message) => {
    const io = capture();
    expect(await main([...argv, ...kc()], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain(message);
  });
});
