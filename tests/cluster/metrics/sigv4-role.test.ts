/**
 * `sigv4.roleArn` (Amazon Managed Service for Prometheus): the role is assumed with STS `AssumeRole` on a real
 * AWS-API server (moto, tests/support/aws-server.ts) and the query is signed with the temporary credentials. The AMP
 * stand-in checks the signature with the secret STS returned (captured from the STS client's answers), so a query
 * signed with anything else is refused. Only roles the operator listed are assumed; credentials are reused until
 * shortly before they expire.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { AssumedRoles } from '../../../shared/adapters/aws/assume-role.js';
import { Sha256, type AwsCredentials } from '../../../shared/adapters/aws/eks-token.js';
import { parseAllowList } from '../../../shared/adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../../shared/adapters/metrics/providers.js';
import type { Metric } from '../../../shared/core/analysis/types.js';
import { awsClientConfig, useAwsServer } from '../../support/aws-server.js';
import {
  startProviderServer,
  vectorAnswer,
  type ProviderServer,
  type Seen,
} from '../../support/provider-server.js';

const server = useAwsServer();
const ROLE = 'arn:aws:iam::123456789012:role/amp-reader';
const OWN = { accessKeyId: 'AKIDOWNFUNCTIONKEY01', secretAccessKey: 'own-secret' };
const HOST = 'aps-workspaces.eu-west-1.amazonaws.test';

let amp: ProviderServer;
let sts: STSClient;
/** Every set of credentials STS handed out, in order. */
const assumed: AwsCredentials[] = [];

/** The AMP stand-in's check: the request signed again with the secret of the access key it names. */
async function verify(seen: Seen, port: number): Promise<boolean> {
  const auth = String(seen.headers.authorization ?? '');
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/aps\/aws4_request, SignedHeaders=([^,]+), /.exec(auth);
  const creds = assumed.find((c) => c.accessKeyId === m?.[1]);
  if (!m || !creds || seen.headers['x-amz-security-token'] !== creds.sessionToken) return false;
  const headers: Record<string, string> = {};
  for (const h of (m[3] ?? '').split(';')) headers[h] = String(seen.headers[h] ?? '');
  const date = String(seen.headers['x-amz-date'] ?? '');
  const url = new URL(seen.path, `http://${HOST}:${port}`);
  const again = await new SignatureV4({
    credentials: creds,
    region: m[2] ?? '',
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
      query: Object.fromEntries(url.searchParams),
      headers,
      body: seen.body,
    },
    {
      signingDate: new Date(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')),
    },
  );
  return again.headers.authorization === auth;
}

beforeAll(async () => {
  sts = new STSClient(awsClientConfig(server()));
  sts.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const c = (
        out.output as {
          Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
        }
      ).Credentials;
      if (c?.AccessKeyId && c.SecretAccessKey)
        assumed.push({
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken ?? '',
        });
      return out;
    },
    { step: 'initialize', name: 'captureAssumedCredentials' },
  );
  amp = await startProviderServer();
  amp.route('workspaces', (seen, res) => {
    void verify(seen, amp.port).then((ok) =>
      ok ? res.writeHead(200).end(vectorAnswer([0.999])) : res.writeHead(403).end('signature mismatch'),
    );
  });
});

afterAll(async () => {
  sts?.destroy();
  await amp?.close();
});

const metric = (roleArn: string): Metric => ({
  name: 'amp',
  successCondition: 'result[0] >= 0.99',
  provider: {
    prometheus: {
      address: `http://${HOST}:${amp.port}/workspaces/ws-1234`,
      query: 'sum(rate(istio_requests_total[1m]))',
      authentication: { sigv4: { region: 'eu-west-1', roleArn } },
    },
  },
});

const plane = (roles?: AssumedRoles) =>
  createMetricProviders({
    allowList: () => parseAllowList(['127.0.0.1']),
    resolve: async () => ['127.0.0.1'],
    aws: { credentials: async () => OWN, region: 'us-east-1', ...(roles ? { roles } : {}) },
  });
const measure = (p: ReturnType<typeof plane>, m: Metric) =>
  p.measure({ cluster: 'c1', namespace: 'ns', metric: m, deadline: Date.now() + 20_000 });

describe('sigv4.roleArn: STS AssumeRole, then SigV4 with the temporary credentials', () => {
  it('signs with the assumed credentials (not its own); the server accepts the signature', async () => {
    assumed.length = 0;
    const out = await measure(plane(new AssumedRoles([ROLE], () => sts)), metric(ROLE));
    expect(out.measurement).toMatchObject({ phase: 'Successful', value: '[0.999]' });
    expect(assumed).toHaveLength(1);
    const auth = String(amp.seen('workspaces').at(-1)?.headers.authorization);
    expect(auth).toContain(`Credential=${assumed[0]?.accessKeyId}/`);
    expect(assumed[0]?.accessKeyId).not.toBe(OWN.accessKeyId);
  });

  it('reuses the credentials until 5 min before they expire, then assumes the role again', async () => {
    assumed.length = 0;
    let offset = 0;
    const roles = new AssumedRoles(
      [ROLE],
      () => sts,
      () => Date.now() + offset,
    );
    const p = plane(roles);
    expect((await measure(p, metric(ROLE))).measurement.phase).toBe('Successful');
    expect((await measure(p, metric(ROLE))).measurement.phase).toBe('Successful');
    expect(assumed).toHaveLength(1);
    offset = 3600_000 - 4 * 60_000; // moto's default session lasts an hour
    expect((await measure(p, metric(ROLE))).measurement.phase).toBe('Successful');
    expect(assumed).toHaveLength(2);
    expect(String(amp.seen('workspaces').at(-1)?.headers.authorization)).toContain(assumed[1]?.accessKeyId);
  });

  it('refuses a role the operator did not list, and any role when none is listed: no STS call, no query', async () => {
    assumed.length = 0;
    const queries = amp.seen('workspaces').length;
    const other = 'arn:aws:iam::123456789012:role/admin';
    const listed = await measure(plane(new AssumedRoles([ROLE], () => sts)), metric(other));
    expect(listed.measurement).toMatchObject({
      phase: 'Error',
      message: `prometheus sigv4.roleArn "${other}" is not an allowed metric role of this control plane: list it in the MetricRoleArns stack parameter (SLUICE_METRIC_ROLE_ARNS for sluice run)`,
    });
    const none = await measure(plane(), metric(ROLE));
    expect(none.measurement.message).toBe(
      `prometheus sigv4.roleArn "${ROLE}" is not an allowed metric role of this control plane (it allows none): list it in the MetricRoleArns stack parameter (SLUICE_METRIC_ROLE_ARNS for sluice run)`,
    );
    expect(assumed).toHaveLength(0);
    expect(amp.seen('workspaces')).toHaveLength(queries);
  });

  it('an STS refusal (AccessDenied, as STS words it) is an Error naming the role, and no query is sent', async () => {
    const queries = amp.seen('workspaces').length;
    const bad = 'arn:aws:iam::123456789012:role/x';
    const denial =
      'User: arn:aws:sts::123456789012:assumed-role/sluice-step/fn is not authorized to perform: sts:AssumeRole on ' +
      `resource: ${bad}`;
    amp.route('sts-deny', (_seen, res) =>
      res
        .writeHead(403, { 'content-type': 'text/xml' })
        .end(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
            `<Code>AccessDenied</Code><Message>${denial}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
        ),
    );
    const refusing = new STSClient({ ...awsClientConfig(server()), endpoint: `${amp.url}/sts-deny` });
    const out = await measure(plane(new AssumedRoles([bad], () => refusing)), metric(bad));
    refusing.destroy();
    expect(out.measurement).toMatchObject({
      phase: 'Error',
      message: `sts:AssumeRole ${bad} failed: AccessDenied: ${denial}`,
    });
    expect(amp.seen('sts-deny')).toHaveLength(1);
    expect(amp.seen('workspaces')).toHaveLength(queries);
  });
});
