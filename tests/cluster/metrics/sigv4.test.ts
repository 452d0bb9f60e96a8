/**
 * Amazon Managed Service for Prometheus: the query is SigV4-signed (service `aps`) with the control plane's own
 * credentials. A loopback server checks each signature by signing the request it received again with the same
 * algorithm and its own copy of the key, and refuses (403) a signature that does not match.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../../shared/adapters/aws/eks-token.js';
import { parseAllowList } from '../../../shared/adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric } from '../../../shared/core/analysis/types.js';
import {
  startProviderServer,
  vectorAnswer,
  type ProviderServer,
  type Seen,
} from '../../support/provider-server.js';

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const HOST = 'aps-workspaces.eu-west-1.amazonaws.test';

let server: ProviderServer;
const verdicts: string[] = [];

/** The server's check: sign the received request again and compare the Authorization header. */
async function verify(seen: Seen, port: number): Promise<string> {
  const auth = String(seen.headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/aps\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      auth,
    );
  if (!m) return `malformed authorization: ${auth}`;
  const signed = (m[4] ?? '').split(';');
  const headers: Record<string, string> = {};
  for (const h of signed) headers[h] = String(seen.headers[h] ?? '');
  const date = String(seen.headers['x-amz-date'] ?? '');
  const at = new Date(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const url = new URL(seen.path, `http://${HOST}:${port}`);
  const query: Record<string, string> = Object.fromEntries(url.searchParams);
  const again = await new SignatureV4({
    credentials: KEY,
    region: m[3] ?? '',
    service: 'aps',
    sha256: Sha256 as never,
    uriEscapePath: true,
  }).sign(
    {
      method: seen.method,
      protocol: 'http:',
      hostname: HOST,
      port,
      path: url.pathname,
      query,
      headers,
      body: seen.body,
    },
    { signingDate: at },
  );
  return again.headers.authorization === auth ? 'valid' : 'signature mismatch';
}

beforeAll(async () => {
  server = await startProviderServer();
  server.route('workspaces', (seen, res) => {
    void verify(seen, server.port).then((v) => {
      verdicts.push(v);
      if (v === 'valid') res.writeHead(200).end(vectorAnswer([0.999]));
      else res.writeHead(403).end(v);
    });
  });
});

afterAll(async () => {
  await server?.close();
});

const metric = (sigv4: Record<string, string>, headers: { key: string; value: string }[] = []): Metric => ({
  name: 'amp',
  successCondition: 'result[0] >= 0.99',
  provider: {
    prometheus: {
      address: `http://${HOST}:${server.port}/workspaces/ws-1234`,
      query: 'sum(rate(istio_requests_total[1m]))',
      headers,
      authentication: { sigv4 },
    },
  },
});

const providersWith = (secretAccessKey: string) =>
  createMetricProviders({
    allowList: () => parseAllowList(['127.0.0.1']),
    resolve: async () => ['127.0.0.1'],
    aws: { credentials: async () => ({ ...KEY, secretAccessKey }), region: 'us-east-1' },
  });
const measure = (metricToUse: Metric, secret = KEY.secretAccessKey) =>
  providersWith(secret).measure({
    cluster: 'c1',
    namespace: 'ns',
    metric: metricToUse,
    deadline: Date.now() + 20_000,
  });

describe('SigV4 for Amazon Managed Service for Prometheus', () => {
  it('signs with the function credentials; the server accepts the signature', async () => {
    verdicts.length = 0;
    const out = await measure(metric({ region: 'eu-west-1' }));
    expect(verdicts).toEqual(['valid']);
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[0.999]' });
    const [seen] = server.seen('workspaces').slice(-1);
    expect(seen?.headers.authorization).toContain('/eu-west-1/aps/aws4_request');
  });

  it('takes the function region when the metric names none', async () => {
    const out = await measure(metric({ profile: 'default' }));
    expect(out.measurement.phase).toBe('Successful');
    expect(server.seen('workspaces').at(-1)?.headers.authorization).toContain('/us-east-1/aps/aws4_request');
  });

  it('a wrong key is refused by the server: an Error, the check is real', async () => {
    verdicts.length = 0;
    const out = await measure(metric({ region: 'eu-west-1' }), 'not-the-key');
    expect(verdicts).toEqual(['signature mismatch', 'signature mismatch']); // POST, then GET after 403
    expect(out.measurement).toMatchObject({ phase: 'Error', message: 'client_error: client error: 403' });
  });

  it('refuses an Authorization header next to sigv4, and a roleArn no role list allows, without a request', async () => {
    const before = server.seen('workspaces').length;
    const header = await measure(
      metric({ region: 'eu-west-1' }, [{ key: 'Authorization', value: 'Bearer x' }]),
    );
    expect(header.measurement.message).toBe(
      'prometheus sigv4 and an Authorization header cannot be combined: the header would replace the signature',
    );
    const role = await measure(metric({ roleArn: 'arn:aws:iam::123456789012:role/reader' }));
    expect(role.measurement.message).toBe(
      'prometheus sigv4.roleArn "arn:aws:iam::123456789012:role/reader" is not an allowed metric role of this ' +
        'control plane (it allows none): list it in the MetricRoleArns stack parameter (SLUICE_METRIC_ROLE_ARNS for sluice run)',
    );
    expect(server.seen('workspaces')).toHaveLength(before);
  });
});
