/**
 * Both runtimes fill `LoopDeps.metrics` with the real providers under each cluster's allow-list: the functions from
 * the registry entries' `allowMetricAddresses`, `sluice run` from the entries plus `--allow-metric-address`; and with
 * the metric roles `SLUICE_METRIC_ROLE_ARNS` lists (a listed role goes to STS, any other is refused without a call).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
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
  // STS as it answers a role whose trust policy does not trust the caller
  server.route('sts', (_q, res) =>
    res
      .writeHead(403, { 'content-type': 'text/xml' })
      .end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error>' +
          '<RequestId>r</RequestId></ErrorResponse>',
      ),
  );
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

const LISTED = 'arn:aws:iam::123456789012:role/amp-reader';
const roleMetric = (roleArn: string): Metric => ({
  name: 'amp',
  provider: {
    prometheus: {
      address: `http://aps-workspaces.test:${server.port}/ws`,
      query: 'vector(1)',
      authentication: { sigv4: { region: 'us-east-1', roleArn } },
    },
  },
});
const NOT_ALLOWED = (arn: string) =>
  `prometheus sigv4.roleArn "${arn}" is not an allowed metric role of this control plane: list it in the ` +
  'MetricRoleArns stack parameter (SLUICE_METRIC_ROLE_ARNS for sluice run)';

describe('Lambda wiring of the metric roles', () => {
  it('SLUICE_METRIC_ROLE_ARNS: a listed role is asked of STS, another is refused without a call', async () => {
    const creds = { region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } };
    const sts = new STSClient({ ...creds, endpoint: `${server.url}/sts`, maxAttempts: 1 });
    const deps = buildDeps(
      readConfig({
        SLUICE_CLUSTERS: JSON.stringify([{ name: 'c', source: 'secret', secretId: 'unused' }]),
        SLUICE_EVENT_BUS: 'sluice-test',
        SLUICE_INSTANCE_ID: 'metrics-wiring',
        SLUICE_METRIC_ROLE_ARNS: LISTED,
      }),
      {
        secrets: new SecretsManagerClient(creds),
        eventBridge: new EventBridgeClient(creds),
        credentials: async () => creds.credentials,
        sts: () => sts,
      },
    );
    const metrics = loopDeps(deps).metrics;
    const at = (m: Metric) =>
      metrics!.measure({ cluster: 'c', namespace: 'ns', metric: m, deadline: Date.now() + 10_000 });
    const calls = server.seen('sts').length;
    const other = 'arn:aws:iam::123456789012:role/other';
    expect((await at(roleMetric(other))).measurement.message).toBe(NOT_ALLOWED(other));
    expect(server.seen('sts')).toHaveLength(calls);
    expect((await at(roleMetric(LISTED))).measurement.message).toBe(
      `sts:AssumeRole ${LISTED} failed: AccessDenied: not authorized`,
    );
    expect(server.seen('sts')).toHaveLength(calls + 1);
    sts.destroy();
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

  it('SLUICE_METRIC_ROLE_ARNS lists the roles a metric may name; a malformed entry is refused naming it', async () => {
    const before = process.env.SLUICE_METRIC_ROLE_ARNS;
    try {
      process.env.SLUICE_METRIC_ROLE_ARNS = LISTED;
      const metrics = localMetricProviders([{ name: 'c' }], []);
      const other = 'arn:aws:iam::123456789012:role/other';
      const out = await metrics.measure({
        cluster: 'c',
        namespace: 'ns',
        metric: roleMetric(other),
        deadline: Date.now() + 10_000,
      });
      expect(out.measurement.message).toBe(NOT_ALLOWED(other));
      process.env.SLUICE_METRIC_ROLE_ARNS = 'arn:aws:iam::123456789012:role/*';
      expect(() => localMetricProviders([], [])).toThrow(
        '"arn:aws:iam::123456789012:role/*" is not an IAM role ARN',
      );
    } finally {
      if (before === undefined) delete process.env.SLUICE_METRIC_ROLE_ARNS;
      else process.env.SLUICE_METRIC_ROLE_ARNS = before;
    }
  });

  it('a malformed flag entry is refused naming it', () => {
    expect(() => localMetricProviders([], ['prometheus.local'])).toThrow(
      '--allow-metric-address[0] "prometheus.local" is not an IP address or CIDR range',
    );
  });
});
