/**
 * The stack as deployed: the packaged template (osls, offline) for the documented parameters is resolved as
 * CloudFormation resolves it, and the functions are built from the resolved environment against the loopback
 * AWS-API server (moto).
 * - Webhook secret: created by the stack, or beforehand by the user when the stage names one; the promote function
 *   reads it by the id it is given (a request signed with it passes authentication, another is refused) and the
 *   role's GetSecretValue resource matches the secret's real ARN, and no other secret's.
 * - Cluster registry: read from the SSM parameter the environment names; ten EKS clusters (endpoint and CA from
 *   eks:DescribeCluster) fit, every function's environment stays far below Lambda's 4 KB.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createPromoteHandler } from '../../functions/promote/handler.js';
import { signRequest } from '../../shared/app/http-api/webhook-auth.js';
import { readConfig } from '../../shared/runtimes/lambda/config.js';
import { memoDeps } from '../../shared/runtimes/lambda/deps.js';
import { loadDeps, type AwsClients } from '../../shared/runtimes/lambda/wiring.js';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';
import { iamResourceMatches, packageStack, Resolver, type Template } from './stack/cfn.js';
import { actions, deploySecrets, environmentOf, resourcesOf, statementsOf } from './stack/deploy.js';
import { httpEvent, lambdaContext } from './support.js';

const NAMED = 'sluice/ci/existing-webhook';
const server = useAwsServer();
let secrets: SecretsManagerClient;
let ssm: SSMClient;
let created: Template;
let named: Template;

beforeAll(async () => {
  secrets = new SecretsManagerClient(awsClientConfig(server()));
  ssm = new SSMClient(awsClientConfig(server()));
  // The registry parameter the documented deployment creates first (docs/deploy.md, "Deploy").
  await ssm.send(new PutParameterCommand({ Name: '/sluice/ci/clusters', Type: 'String', Value: '[]' }));
  created = packageStack().template;
  named = packageStack({ webhookSecretName: NAMED }).template;
}, 240_000);

afterAll(async () => {
  secrets?.destroy();
  ssm?.destroy();
});

/** The functions' AWS clients, pointed at the loopback server(). */
function awsClients(): AwsClients {
  return {
    secrets,
    eventBridge: new EventBridgeClient(awsClientConfig(server())),
    credentials: async () => awsClientConfig(server()).credentials,
    ssm,
    eks: (region) => new EKSClient({ ...awsClientConfig(server()), region }),
  };
}

/** The promote function over the resolved environment. */
function promoteFrom(env: Record<string, string>) {
  const config = readConfig(env);
  return createPromoteHandler(memoDeps(() => loadDeps(config, awsClients())));
}

const PATH = '/v1/clusters/not-registered/namespaces/shop/rollouts/reviews';

async function get(handler: ReturnType<typeof promoteFrom>, key?: { id: string; secret: string }) {
  const headers = key
    ? signRequest({ secret: key.secret, keyId: key.id, method: 'GET', path: PATH, body: '', now: new Date() })
    : {};
  return handler(httpEvent('GET', PATH, undefined, headers), lambdaContext());
}

/** A signed GET of `path` as API Gateway delivers it behind `stage`. */
async function getAt(
  handler: ReturnType<typeof promoteFrom>,
  key: { id: string; secret: string },
  path: string,
  stage: string,
) {
  const headers = signRequest({
    secret: key.secret,
    keyId: key.id,
    method: 'GET',
    path,
    body: '',
    now: new Date(),
  });
  const e = httpEvent('GET', path, undefined, headers);
  return handler({ ...e, requestContext: { ...e.requestContext, stage } }, lambdaContext());
}

async function secretValue(id: string): Promise<{ id: string; secret: string }> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
  return JSON.parse(out.SecretString ?? '') as { id: string; secret: string };
}

function secretStatement(r: Awaited<ReturnType<typeof deploySecrets>>, fn: string) {
  return statementsOf(r, fn).filter((s) => actions(s).includes('secretsmanager:GetSecretValue'));
}

describe('webhook secret created by the stack (default)', () => {
  it('passes the full ARN of the created secret; promote reads it and authenticates with it', async () => {
    const r = await deploySecrets(created, secrets);
    expect(r.created('WebhookSecret')).toBe(true);
    const env = environmentOf(r, 'promote');
    expect(env.SLUICE_WEBHOOK_SECRET_ID).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice\/ci\/webhook-[A-Za-z0-9]{6}$/,
    );
    const key = await secretValue(env.SLUICE_WEBHOOK_SECRET_ID!);
    expect(key.id).toBe('k1');
    expect(key.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    const handler = promoteFrom(env);
    expect((await get(handler, key)).statusCode).toBe(404); // authenticated; the cluster is not registered
    expect((await get(handler, { id: 'k1', secret: 'some-other-secret-0123456789' })).statusCode).toBe(401);
    expect((await get(handler)).statusCode).toBe(401);
    const arns = secretStatement(r, 'promote').flatMap(resourcesOf);
    expect(arns.some((p) => iamResourceMatches(p, env.SLUICE_WEBHOOK_SECRET_ID!))).toBe(true);
  });
});

describe('routes behind a custom-domain base path or a named stage', () => {
  it('matches routes after the prefix; the signature covers the path as sent', async () => {
    const base = await deploySecrets(created, secrets);
    const r = new Resolver(created, { ...base.deployment, parameters: { ApiBasePath: 'sluice' } });
    const env = environmentOf(r, 'promote');
    expect(env.SLUICE_API_BASE_PATH).toBe('sluice');
    const key = await secretValue(env.SLUICE_WEBHOOK_SECRET_ID!);
    const handler = promoteFrom(env);
    const body = async (res: Awaited<ReturnType<typeof getAt>>) => [
      res.statusCode,
      JSON.parse(res.body ?? '{}').message,
    ];
    // route matched (the cluster is not registered), behind the base path, behind base path + stage, behind a stage
    expect(await body(await getAt(handler, key, `/sluice${PATH}`, '$default'))).toEqual([
      404,
      'unknown cluster not-registered',
    ]);
    expect(await body(await getAt(handler, key, `/sluice/prod${PATH}`, 'prod'))).toEqual([
      404,
      'unknown cluster not-registered',
    ]);
    expect(await body(await getAt(handler, key, `/prod${PATH}`, 'prod'))).toEqual([
      404,
      'unknown cluster not-registered',
    ]);
    // another prefix is not stripped: no such route
    expect(await body(await getAt(handler, key, `/other${PATH}`, '$default'))).toEqual([
      404,
      'no such route',
    ]);
    // signed over the route part only, sent with the prefix: refused
    const headers = signRequest({
      secret: key.secret,
      keyId: key.id,
      method: 'GET',
      path: PATH,
      body: '',
      now: new Date(),
    });
    expect(
      (await handler(httpEvent('GET', `/sluice${PATH}`, undefined, headers), lambdaContext())).statusCode,
    ).toBe(401);
  });
});

describe('webhook secret named by the stage (webhookSecretName)', () => {
  it('creates no secret, passes the name, and grants GetSecretValue on exactly that name', async () => {
    const out = await secrets.send(
      new CreateSecretCommand({
        Name: NAMED,
        SecretString: JSON.stringify({ id: 'ops-1', secret: 'a-named-secret-0123456789abcdef' }),
      }),
    );
    const other = await secrets.send(
      new CreateSecretCommand({
        Name: `${NAMED}-extra`,
        SecretString: '{"id":"x","secret":"0123456789abcdefgh"}',
      }),
    );
    const r = await deploySecrets(named, secrets);
    expect(r.created('WebhookSecret')).toBe(false);
    const env = environmentOf(r, 'promote');
    expect(env.SLUICE_WEBHOOK_SECRET_ID).toBe(NAMED);
    const handler = promoteFrom(env);
    const key = { id: 'ops-1', secret: 'a-named-secret-0123456789abcdef' };
    expect((await get(handler, key)).statusCode).toBe(404);
    expect((await get(handler, { id: 'ops-1', secret: 'not-the-named-secret-012345' })).statusCode).toBe(401);
    const arns = secretStatement(r, 'promote').flatMap(resourcesOf);
    expect(arns.some((p) => iamResourceMatches(p, out.ARN!))).toBe(true);
    expect(arns.some((p) => iamResourceMatches(p, other.ARN!))).toBe(false);
  });
});

describe('cluster registry from SSM Parameter Store, EKS clusters described', () => {
  const region = 'eu-west-1';
  const names = Array.from({ length: 10 }, (_, i) => `prod-${i + 1}`);
  const registry = names.map((n) => ({ name: n, source: 'eks', clusterName: n, region }));

  it('fits ten EKS clusters: the registry in one standard parameter, every environment under 4 KB', async () => {
    const eks = new EKSClient({ ...awsClientConfig(server()), region });
    const arns: string[] = [];
    for (const name of names) {
      const out = await eks.send(
        new CreateClusterCommand({
          name,
          roleArn: 'arn:aws:iam::123456789012:role/eks',
          resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d'] },
        }),
      );
      arns.push(out.cluster!.arn!);
    }
    const value = JSON.stringify(registry);
    expect(Buffer.byteLength(value)).toBeLessThan(4096); // a Standard parameter holds 4 KB
    await ssm.send(
      new PutParameterCommand({ Name: '/sluice/ci/clusters', Type: 'String', Value: value, Overwrite: true }),
    );
    const r = await deploySecrets(created);
    for (const fn of ['schedule', 'step', 'promote', 'watch', 'drift-check']) {
      const env = environmentOf(r, fn);
      const size = Object.entries(env).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
        0,
      );
      expect(size).toBeLessThan(4096);
      expect(size).toBeLessThan(1024);
      expect(env.SLUICE_CLUSTERS_PARAMETER).toBe('/sluice/ci/clusters');
      const deps = await loadDeps(readConfig(env), awsClients());
      expect(deps.clusters.names()).toEqual(names);
      const statements = statementsOf(r, fn);
      const allowed = (action: string, arn: string) =>
        statements.some(
          (s) => actions(s).includes(action) && resourcesOf(s).some((p) => iamResourceMatches(p, arn)),
        );
      for (const arn of arns) expect(allowed('eks:DescribeCluster', arn)).toBe(true);
      const param = await ssm.send(new GetParameterCommand({ Name: env.SLUICE_CLUSTERS_PARAMETER }));
      expect(allowed('ssm:GetParameter', param.Parameter!.ARN!)).toBe(true);
      expect(allowed('ssm:GetParameter', param.Parameter!.ARN!.replace('/clusters', '/other'))).toBe(false);
    }
    eks.destroy();
  });

  it('looks up the endpoint and CA with eks:DescribeCluster and checks them before use', async () => {
    // moto's certificate data is random text, not a PEM: the kubeconfig built from it is refused, naming the field.
    const env = environmentOf(await deploySecrets(created), 'step');
    const deps = await loadDeps(readConfig(env), awsClients());
    await expect(deps.clusters.gateway('prod-1')).rejects.toThrow(/eks\.caData must be base64-encoded PEM/);
    await ssm.send(
      new PutParameterCommand({
        Name: '/sluice/ci/clusters',
        Type: 'String',
        Overwrite: true,
        Value: JSON.stringify([{ name: 'gone', source: 'eks', clusterName: 'not-created', region }]),
      }),
    );
    const after = await loadDeps(readConfig(env), awsClients());
    await expect(after.clusters.gateway('gone')).rejects.toThrow(
      /eks:DescribeCluster of not-created in eu-west-1 failed: ResourceNotFoundException/,
    );
  });

  it('refuses inline and file entries on Lambda, naming the entry', async () => {
    const env = environmentOf(await deploySecrets(created), 'schedule');
    for (const entry of [
      { name: 'a', source: 'inline', kubeconfig: 'apiVersion: v1' },
      { name: 'b', source: 'file', path: '/tmp/kubeconfig' },
    ]) {
      await ssm.send(
        new PutParameterCommand({
          Name: '/sluice/ci/clusters',
          Type: 'String',
          Overwrite: true,
          Value: JSON.stringify([entry]),
        }),
      );
      await expect(loadDeps(readConfig(env), awsClients())).rejects.toThrow(
        new RegExp(`cluster registry entry "${entry.name}": source "${entry.source}" is refused on Lambda`),
      );
    }
  });
});
