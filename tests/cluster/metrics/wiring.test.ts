/**
 * Both runtimes fill `LoopDeps.metrics` with the real providers under each cluster's allow-list: the functions from
 * the registry entries' `allowMetricAddresses`, `sluice run` from the entries plus `--allow-metric-address`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Metric } from '../../../shared/core/analysis/types.js';
import type { MetricProviders } from '../../../shared/app/ports.js';
import { readConfig } from '../../../shared/runtimes/lambda/config.js';
import { loopDeps } from '../../../shared/runtimes/lambda/deps.js';
import { buildDeps } from '../../../shared/runtimes/lambda/wiring.js';
import { localMetricProviders } from '../../../shared/runtimes/local/metrics.js';
import { startProviderServer, type ProviderServer } from '../../support/provider-server.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
  server.route('health', (_q, res) => res.writeHead(200).end('{"ok":true}'));
});
afterAll(async () => {
  await server?.close();
});

const metric = (): Metric => ({
  name: 'health',
  successCondition: 'result.ok',
  provider: { web: { url: `${server.url}/health` } },
});
const measure = (metrics: MetricProviders | undefined, cluster: string) => {
  if (!metrics) throw new Error('the runtime left LoopDeps.metrics unset');
  return metrics.measure({ cluster, namespace: 'ns', metric: metric(), deadline: Date.now() + 10_000 });
};
const LOOPBACK_REFUSED =
  /resolves to 127\.0\.0\.1 \(loopback\), which is not in the allowed metric provider addresses of cluster "(\w+)"/;

describe('Lambda wiring', () => {
  const creds = { region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } };
  const deps = buildDeps(
    readConfig({
      SLUICE_CLUSTERS: JSON.stringify([
        { name: 'open', source: 'secret', secretId: 'unused', allowMetricAddresses: ['127.0.0.1/32'] },
        { name: 'closed', source: 'secret', secretId: 'unused' },
      ]),
      SLUICE_EVENT_BUS: 'sluice-test',
      SLUICE_INSTANCE_ID: 'metrics-wiring',
      SLUICE_WEBHOOK_SECRET_ID: 'unused',
    }),
    {
      secrets: new SecretsManagerClient(creds),
      eventBridge: new EventBridgeClient(creds),
      credentials: async () => creds.credentials,
    },
  );

  it('a cluster whose registry entry allows loopback reaches the provider', async () => {
    const out = await measure(loopDeps(deps).metrics, 'open');
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '{"ok":true}' });
  });

  it('a cluster without the entry is refused', async () => {
    const out = await measure(loopDeps(deps).metrics, 'closed');
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.message).toMatch(LOOPBACK_REFUSED);
  });
});

describe('sluice run wiring', () => {
  it('registry entries and the flag each open loopback; without either it is refused', async () => {
    const metrics = localMetricProviders(
      [{ name: 'entry', allowMetricAddresses: ['127.0.0.1'] }, { name: 'plain' }],
      [],
    );
    expect((await measure(metrics, 'entry')).measurement.phase).toBe('Successful');
    expect((await measure(metrics, 'plain')).measurement.message).toMatch(LOOPBACK_REFUSED);
    const flagged = localMetricProviders([{ name: 'plain' }], ['127.0.0.0/8']);
    expect((await measure(flagged, 'plain')).measurement.phase).toBe('Successful');
  });

  it('a malformed flag entry is refused naming it', () => {
    expect(() => localMetricProviders([], ['prometheus.local'])).toThrow(
      '--allow-metric-address[0] "prometheus.local" is not an IP address or CIDR range',
    );
  });
});
