/**
 * What the stack hands the functions: where the registry comes from, the webhook secret only for promote, the API's
 * base path; which registry entries Lambda accepts; the route part of a path behind a stage or base path; the
 * dependency cache that re-reads the registry after its time.
 */
import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseClusterRegistry } from '../../../../shared/adapters/kube/cluster-registry.js';
import { ConfigError, readConfig } from '../../../../shared/runtimes/lambda/config.js';
import { memoDeps, type FunctionDeps } from '../../../../shared/runtimes/lambda/deps.js';
import { routePath } from '../../../../shared/runtimes/lambda/http-path.js';
import { buildDeps, lambdaRegistry, readRegistry } from '../../../../shared/runtimes/lambda/wiring.js';

const BASE = { SLUICE_EVENT_BUS: 'sluice-prod', SLUICE_INSTANCE_ID: 'sluice' };

describe('readConfig: registry source, webhook secret, base path', () => {
  it.each([
    {
      title: 'the SSM parameter',
      env: { ...BASE, SLUICE_CLUSTERS_PARAMETER: '/sluice/prod/clusters' },
      want: { clustersParameter: '/sluice/prod/clusters', registryCacheSeconds: 300 },
    },
    { title: 'the registry itself', env: { ...BASE, SLUICE_CLUSTERS: '[]' }, want: { clusters: [] } },
    {
      title: 'a cache time and a base path with slashes',
      env: {
        ...BASE,
        SLUICE_CLUSTERS: '[]',
        SLUICE_REGISTRY_CACHE_SECONDS: '60',
        SLUICE_API_BASE_PATH: '/sluice/',
      },
      want: { registryCacheSeconds: 60, apiBasePath: 'sluice' },
    },
  ])('reads $title', ({ env, want }) => {
    const c = readConfig(env);
    expect(c).toMatchObject(want);
    expect(c.webhookSecretId).toBeUndefined();
  });

  it.each([
    {
      title: 'no registry at all',
      env: BASE,
      message: /SLUICE_CLUSTERS_PARAMETER \(or SLUICE_CLUSTERS\) is required/,
    },
    {
      title: 'both registry sources',
      env: { ...BASE, SLUICE_CLUSTERS: '[]', SLUICE_CLUSTERS_PARAMETER: '/a' },
      message: /set SLUICE_CLUSTERS_PARAMETER or SLUICE_CLUSTERS, not both/,
    },
    {
      title: 'a parameter name without a leading slash',
      env: { ...BASE, SLUICE_CLUSTERS_PARAMETER: 'sluice/clusters' },
      message: /SLUICE_CLUSTERS_PARAMETER must be an SSM parameter name starting with \//,
    },
    {
      title: 'a registry cache under 10 s',
      env: { ...BASE, SLUICE_CLUSTERS: '[]', SLUICE_REGISTRY_CACHE_SECONDS: '1' },
      message: /SLUICE_REGISTRY_CACHE_SECONDS must be an integer in 10..3600/,
    },
    {
      title: 'a base path that is not a path',
      env: { ...BASE, SLUICE_CLUSTERS: '[]', SLUICE_API_BASE_PATH: 'a b' },
      message: /SLUICE_API_BASE_PATH is not a path/,
    },
  ])('refuses $title, naming the variable', ({ env, message }) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});

const AWS = {
  secrets: {} as never,
  eventBridge: {} as never,
  credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
};

describe('readConfig: the step queue and the cluster request bound', () => {
  it("defaults to Argo's 40/80 over two step invocations, and reads the queue", () => {
    const c = readConfig({
      ...BASE,
      SLUICE_CLUSTERS: '[]',
      SLUICE_STEP_QUEUE_URL: ' https://sqs/steps.fifo ',
    });
    expect(c.clusterBound).toEqual({ qps: 40, burst: 80, concurrency: 2 });
    expect(c.stepQueueUrl).toBe('https://sqs/steps.fifo');
    expect(readConfig({ ...BASE, SLUICE_CLUSTERS: '[]' }).stepQueueUrl).toBeUndefined();
  });

  it('reads the three settings', () => {
    const c = readConfig({
      ...BASE,
      SLUICE_CLUSTERS: '[]',
      SLUICE_CLUSTER_QPS: '100',
      SLUICE_CLUSTER_BURST: '150',
      SLUICE_STEP_MAX_CONCURRENCY: '25',
    });
    expect(c.clusterBound).toEqual({ qps: 100, burst: 150, concurrency: 25 });
  });

  it.each([
    [{ SLUICE_CLUSTER_QPS: '0' }, /SLUICE_CLUSTER_QPS must be an integer in 1\.\.10000, got "0"/],
    [{ SLUICE_STEP_MAX_CONCURRENCY: '1' }, /SLUICE_STEP_MAX_CONCURRENCY must be an integer in 2\.\.1000/],
    [{ SLUICE_CLUSTER_BURST: '1' }, /SLUICE_CLUSTER_BURST.*burst 1 is below the concurrency 2/],
    [
      { SLUICE_CLUSTER_BURST: '5', SLUICE_STEP_MAX_CONCURRENCY: '10' },
      /SLUICE_CLUSTER_BURST.*burst 5 is below the concurrency 10/,
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => readConfig({ ...BASE, SLUICE_CLUSTERS: '[]', ...env })).toThrow(ConfigError);
    expect(() => readConfig({ ...BASE, SLUICE_CLUSTERS: '[]', ...env })).toThrow(message);
  });
});

describe('the registry on Lambda', () => {
  const eks = { name: 'eu-1', source: 'eks', clusterName: 'prod', region: 'eu-west-1' };
  const secret = { name: 'eu-2', source: 'secret', secretId: 'sluice/prod/clusters/eu-2' };

  it('accepts secret and eks entries (an eks entry without endpoint and CA is described at use)', () => {
    expect(lambdaRegistry([eks, secret]).map((e) => e.name)).toEqual(['eu-1', 'eu-2']);
  });

  it.each([
    [
      { name: 'x', source: 'inline', kubeconfig: 'apiVersion: v1' },
      /"x": source "inline" is refused on Lambda \(an inline kubeconfig would put its credentials in clear/,
    ],
    [
      { name: 'y', source: 'file', path: '/k' },
      /"y": source "file" is refused on Lambda \(a function has no kubeconfig files\)/,
    ],
  ])('refuses %o with what to use instead', (entry, message) => {
    expect(() => lambdaRegistry([secret, entry])).toThrow(ConfigError);
    expect(() => lambdaRegistry([secret, entry])).toThrow(message);
    expect(() => lambdaRegistry([entry])).toThrow(
      /use \{"source":"secret","secretId":\.\.\.\}, or use an "eks" entry/,
    );
  });

  it('requires an eks entry to give endpoint and caData together or not at all', () => {
    expect(() => parseClusterRegistry([{ ...eks, endpoint: 'https://x' }])).toThrow(
      'clusters[0]: give endpoint and caData together, or neither',
    );
  });

  it('reads SLUICE_CLUSTERS when no parameter is named, and needs an SSM client when one is', async () => {
    const inline = readConfig({ ...BASE, SLUICE_CLUSTERS: JSON.stringify([secret]) });
    await expect(readRegistry(inline, AWS)).resolves.toEqual([secret]);
    const named = readConfig({ ...BASE, SLUICE_CLUSTERS_PARAMETER: '/sluice/prod/clusters' });
    await expect(readRegistry(named, AWS)).rejects.toThrow(
      'no SSM client to read the cluster registry /sluice/prod/clusters',
    );
  });

  it('fails reading the webhook keys without SLUICE_WEBHOOK_SECRET_ID, naming it', async () => {
    const deps = buildDeps(readConfig({ ...BASE, SLUICE_CLUSTERS: '[]' }), AWS);
    await expect(deps.webhookSecrets()).rejects.toThrow(
      'environment variable SLUICE_WEBHOOK_SECRET_ID is required but not set',
    );
  });
});

function event(rawPath: string, stage: string): APIGatewayProxyEventV2 {
  return { rawPath, requestContext: { stage } } as unknown as APIGatewayProxyEventV2;
}
const ROUTE = '/v1/clusters/eu-1/namespaces/shop/rollouts/reviews/promote';

describe('routePath', () => {
  it.each([
    ['$default stage, no base path', event(ROUTE, '$default'), undefined, ROUTE],
    ['named stage', event(`/prod${ROUTE}`, 'prod'), undefined, ROUTE],
    ['custom-domain base path', event(`/sluice${ROUTE}`, '$default'), 'sluice', ROUTE],
    ['multi-level base path', event(`/ops/sluice${ROUTE}`, '$default'), 'ops/sluice', ROUTE],
    ['base path then named stage', event(`/sluice/prod${ROUTE}`, 'prod'), 'sluice', ROUTE],
    ['a path that only looks like the prefix', event(`/prodx${ROUTE}`, 'prod'), undefined, `/prodx${ROUTE}`],
    ['a path without the base path', event(ROUTE, '$default'), 'sluice', ROUTE],
  ])('%s', (_title, e, base, want) => {
    expect(routePath(e, base)).toBe(want);
  });
});

describe('memoDeps with a cache time', () => {
  it('builds once, reuses the build until the time has passed, then builds afresh', async () => {
    let t = 0;
    let builds = 0;
    const deps = { config: {} } as FunctionDeps;
    const provider = memoDeps(
      () => {
        builds++;
        return deps;
      },
      () => 1000,
      () => t,
    );
    await Promise.all([provider(), provider()]);
    t = 999;
    await provider();
    expect(builds).toBe(1);
    t = 1000;
    await provider();
    expect(builds).toBe(2);
  });

  it('does not keep a failed build', async () => {
    let fail = true;
    const provider = memoDeps(() => {
      if (fail) throw new Error('SSM unreachable');
      return { config: {} } as FunctionDeps;
    });
    await expect(provider()).rejects.toThrow('SSM unreachable');
    fail = false;
    await expect(provider()).resolves.toBeDefined();
  });
});
