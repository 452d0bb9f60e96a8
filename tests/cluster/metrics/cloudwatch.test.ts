/**
 * The CloudWatch provider against a loopback AWS API server (moto's server mode): one GetMetricData over the last
 * `interval`, the result as Argo's MetricDataResult list, the value as Go prints `[][]float64`.
 *
 * The SDK speaks CloudWatch's JSON protocol by default; moto's server, with the botocore the tools venv resolves,
 * parses only CloudWatch's query protocol, so the test client is set to that. The provider builds the same
 * `GetMetricDataCommand` either way: the wire protocol is the client's concern, not the provider's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric } from '../../../shared/core/analysis/types.js';
import { awsClientConfig, useAwsServer } from '../../support/aws-server.js';

const aws = useAwsServer();
let client: CloudWatchClient;

beforeAll(async () => {
  client = new CloudWatchClient({
    ...awsClientConfig(aws()),
    protocol: AwsQueryProtocol as never,
    protocolSettings: {
      defaultNamespace: 'com.amazonaws.cloudwatch',
      xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
      version: '2010-08-01',
    } as never,
  });
  const now = Date.now();
  await client.send(
    new PutMetricDataCommand({
      Namespace: 'Sluice/Test',
      MetricData: [0.01, 0.02, 0.03].map((v, i) => ({
        MetricName: 'ErrorRate',
        Dimensions: [{ Name: 'Service', Value: 'reviews' }],
        Timestamp: new Date(now - (i + 1) * 1000),
        Value: v,
      })),
    }),
  );
}, 60_000);

afterAll(async () => {
  client?.destroy();
});

const metric = (conditions: Partial<Metric>, service = 'reviews'): Metric => ({
  name: 'error-rate',
  ...conditions,
  provider: {
    cloudWatch: {
      interval: '5m',
      metricDataQueries: [
        {
          id: 'rate',
          metricStat: {
            metric: {
              namespace: 'Sluice/Test',
              metricName: 'ErrorRate',
              dimensions: [{ name: 'Service', value: service }],
            },
            period: 300,
            stat: 'Maximum',
          },
        },
      ],
    },
  },
});

const providers = () => createMetricProviders({ allowList: () => undefined, cloudWatch: () => client });
const measure = (m: Metric) =>
  providers().measure({ cluster: 'c1', namespace: 'ns', metric: m, deadline: Date.now() + 20_000 });

describe('CloudWatch provider on a loopback AWS API server', () => {
  it('judges the values: Successful under the threshold, value as Go prints it', async () => {
    const out = await measure(metric({ successCondition: 'all(result[0].Values, {# <= 0.05})' }));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[[0.03]]' });
  });

  it('Failed over the threshold', async () => {
    const out = await measure(metric({ successCondition: 'result[0].Values[0] < 0.02' }));
    expect(out.measurement).toMatchObject({ phase: 'Failed', value: '[[0.03]]' });
  });

  it('the result carries Argo’s field names', async () => {
    const out = await measure(
      metric({ successCondition: 'result[0].Id == "rate" && result[0].StatusCode == "Complete"' }),
    );
    expect(out.measurement.phase).toBe('Successful');
  });

  it('no data: an empty Values list, and an evaluation error keeps the value', async () => {
    const out = await measure(metric({ successCondition: 'result[0].Values[0] < 0.02' }, 'absent'));
    expect(out.measurement.phase).toBe('Error');
    expect(out.measurement.value).toBe('[[]]');
    expect(out.measurement.message).toMatch(
      /^could not evaluate successCondition "result\[0\]\.Values\[0\] < 0\.02": /,
    );
  });

  it('an AWS API that hangs: Error at the invocation deadline, the call aborted', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const hanging = new CloudWatchClient({ ...awsClientConfig(aws()), endpoint: `http://127.0.0.1:${port}` });
    try {
      const t0 = Date.now();
      const out = await createMetricProviders({
        allowList: () => undefined,
        cloudWatch: () => hanging,
      }).measure({
        cluster: 'c1',
        namespace: 'ns',
        metric: metric({ successCondition: 'true' }),
        deadline: Date.now() + 500,
      });
      expect(out.measurement).toMatchObject({
        phase: 'Error',
        message:
          "operation error CloudWatch: GetMetricData, context deadline exceeded (the invocation's remaining time ran out)",
      });
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      hanging.destroy();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('without a configured client: an Error, not a throw', async () => {
    const none = createMetricProviders({ allowList: () => undefined });
    const out = await none.measure({
      cluster: 'c1',
      namespace: 'ns',
      metric: metric({}),
      deadline: Date.now() + 5000,
    });
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: 'the CloudWatch provider is not configured for this control plane',
    });
  });
});
