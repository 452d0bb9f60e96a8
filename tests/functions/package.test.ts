/**
 * Packages the service offline with osls (no AWS credentials) and checks the CloudFormation template: runtimes,
 * architecture, schedules, the bus and its rules, HTTP API routes, least-privilege IAM, one zip per function.
 * Values are read as CloudFormation resolves them with the default stage parameters (tests/functions/stack/cfn.ts).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageStack, Resolver } from './stack/cfn.js';
import {
  actions,
  deploySecrets,
  environmentOf,
  functionId,
  resourcesOf,
  statementsOf,
} from './stack/deploy.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
const FUNCTIONS = ['schedule', 'step', 'promote', 'watch', 'drift-check'];

let dir: string;
let templateText: string;
let resources: Record<string, Resource>;
let resolver: Resolver;
const ofType = (type: string): Resource[] => Object.values(resources).filter((r) => r.Type === type);

beforeAll(async () => {
  const packaged = packageStack();
  dir = packaged.dir;
  templateText = JSON.stringify(packaged.template);
  resources = packaged.template.Resources;
  resolver = await deploySecrets(packaged.template);
}, 120_000);

describe('osls package --stage ci', () => {
  it('builds one zip per function, each holding only its .mjs bundle (and map)', () => {
    for (const name of FUNCTIONS) expect(existsSync(join(dir, `${name}.zip`))).toBe(true);
    const listing = execFileSync('unzip', ['-Z1', join(dir, 'step.zip')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(listing.sort()).toEqual(['functions/step/handler.mjs', 'functions/step/handler.mjs.map']);
  });

  it("embeds the dashboard page's script in the promote bundle, and only there", () => {
    const bundle = (name: string): string =>
      execFileSync('unzip', ['-p', join(dir, `${name}.zip`), `functions/${name}/handler.mjs`], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    // A mark only the page's script sets.
    expect(bundle('promote')).toContain('sluice-first-render');
    expect(bundle('step')).not.toContain('sluice-first-render');
  });

  it('runs every function on nodejs22.x, arm64, with an ESM handler', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(FUNCTIONS.length);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(String(fn.Properties.Handler)).toMatch(/^functions\/[a-z-]+\/handler\.handler$/);
    }
  });

  it('gives the watch function the 15-minute limit and reserves no concurrency by default', () => {
    // A new account's concurrency quota is 10, all unreserved: any reservation there fails the deployment.
    const watch = resolver.resolve(resources.WatchLambdaFunction?.Properties) as Record<string, unknown>;
    expect(watch.Timeout).toBe(900);
    for (const fn of FUNCTIONS) {
      const props = resolver.resolve(resources[functionId(fn)]?.Properties) as Record<string, unknown>;
      expect(props).not.toHaveProperty('ReservedConcurrentExecutions');
    }
  });

  it('schedules schedule every minute and watch every 15 minutes', () => {
    const expressions = ofType('AWS::Events::Rule')
      .map((r) => r.Properties.ScheduleExpression)
      .filter(Boolean)
      .sort();
    expect(expressions).toEqual(['rate(1 minute)', 'rate(15 minutes)']);
  });

  it('creates its own bus with a rule for sluice.step and one for sluice.drift', () => {
    const buses = ofType('AWS::Events::EventBus');
    expect(buses.map((b) => b.Properties.Name)).toEqual(['sluice-ci']);
    const patterns = ofType('AWS::Events::Rule')
      .filter((r) => r.Properties.EventPattern)
      .map((r) => r.Properties.EventPattern as Record<string, string[]>);
    expect(patterns.map((p) => p['detail-type']).sort()).toEqual([['sluice.drift'], ['sluice.step']]);
    for (const p of patterns) expect(p.source).toEqual(['sluice']);
  });

  it('routes the HTTP API (payload 2.0) to promote', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual([
      'GET /dashboard',
      'GET /dashboard/{asset}',
      'GET /ui/v1/clusters/{cluster}/namespaces/{namespace}/rollouts/{name}',
      'GET /ui/v1/fleet',
      'GET /ui/v1/session',
      'GET /v1/clusters/{cluster}/namespaces/{namespace}/rollouts/{name}',
      'POST /ui/v1/clusters/{cluster}/namespaces/{namespace}/rollouts/{name}/{action}',
      'POST /v1/clusters/{cluster}/namespaces/{namespace}/rollouts/{name}/{action}',
    ]);
    const authorized = ofType('AWS::ApiGatewayV2::Route')
      .filter((r) => r.Properties.AuthorizationType === 'JWT')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(authorized).toEqual(routes.filter((k) => String(k).includes(' /ui/')));
    const [authorizer] = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { Ref: 'DashboardJwtIssuer' },
        Audience: [{ Ref: 'DashboardJwtAudience' }],
      },
    });
    const [integration] = ofType('AWS::ApiGatewayV2::Integration');
    expect(integration?.Properties.PayloadFormatVersion).toBe('2.0');
  });

  it('grants PutEvents on its own bus only and GetSecretValue on the named secrets only', () => {
    for (const fn of FUNCTIONS) {
      const statements = statementsOf(resolver, fn);
      const putEvents = statements.filter((s) => actions(s).some((a) => a.startsWith('events:')));
      expect(putEvents).toHaveLength(1);
      expect(actions(putEvents[0]!)).toEqual(['events:PutEvents']);
      expect(resourcesOf(putEvents[0]!)).toEqual([
        'arn:aws:events:us-east-1:123456789012:event-bus/sluice-ci',
      ]);
      const secrets = statements.filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')));
      expect(secrets.flatMap(actions)).toEqual(secrets.map(() => 'secretsmanager:GetSecretValue'));
      expect(secrets.flatMap(resourcesOf).sort()).toEqual(
        [
          ...(fn === 'promote'
            ? ['arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice/ci/webhook-AbCdEf']
            : []),
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice/ci/clusters/*',
        ].sort(),
      );
      // "*" only where the API has no resource-level permissions: cloudwatch:GetMetricData, for step's analysis.
      const wide = statements.filter(
        (s) => resourcesOf(s).includes('*') || actions(s).some((a) => a.includes('*')),
      );
      expect(wide.map(actions)).toEqual(fn === 'step' ? [['cloudwatch:GetMetricData']] : []);
    }
  });

  it('gives the metric provider permissions (CloudWatch, Managed Prometheus) to the step function only', () => {
    for (const fn of FUNCTIONS) {
      const metric = statementsOf(resolver, fn)
        .flatMap(actions)
        .filter((a) => a.startsWith('cloudwatch:') || a.startsWith('aps:'))
        .sort();
      expect(metric).toEqual(fn === 'step' ? ['aps:QueryMetrics', 'cloudwatch:GetMetricData'] : []);
    }
  });

  it('grants sts:AssumeRole on exactly the metricRoleArns to the step function, and none by default', () => {
    const assume = (r: Resolver, fn: string) =>
      statementsOf(r, fn).filter((st) => actions(st).some((a) => a.startsWith('sts:')));
    for (const fn of FUNCTIONS) expect(assume(resolver, fn)).toEqual([]);
    expect(environmentOf(resolver, 'step').SLUICE_METRIC_ROLE_ARNS).toBe('');
    const roles = [
      'arn:aws:iam::123456789012:role/amp-reader',
      'arn:aws:iam::210987654321:role/team/amp-reader',
    ];
    const listed = new Resolver(resolver.template, {
      ...resolver.deployment,
      parameters: { ...resolver.deployment.parameters, MetricRoleArns: roles.join(',') },
    });
    expect(assume(listed, 'step')).toEqual([
      { Sid: 'AnalysisAssumeMetricRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roles },
    ]);
    for (const fn of FUNCTIONS.filter((f) => f !== 'step')) expect(assume(listed, fn)).toEqual([]);
    expect(environmentOf(listed, 'step').SLUICE_METRIC_ROLE_ARNS).toBe(roles.join(','));
    const pattern = new RegExp(String(resolver.template.Parameters?.MetricRoleArns?.AllowedPattern));
    expect(roles.join(',')).toMatch(pattern);
    for (const bad of [
      '*',
      'arn:aws:iam::123456789012:role/*',
      'arn:aws:iam::123456789012:user/x',
      `${roles[0]},`,
    ])
      expect(bad).not.toMatch(pattern);
  });

  it('declares the timer queue and the FIFO step queue with their dead-letter queues, the step function consuming both, and SQS IAM on them only', () => {
    const queues = Object.fromEntries(
      Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue'),
    );
    expect(Object.keys(queues).sort()).toEqual([
      'FailedInvocationsQueue',
      'StepDeadLetterQueue',
      'StepQueue',
      'TimerDeadLetterQueue',
      'TimerQueue',
    ]);
    expect(queues.TimerQueue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['TimerDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queues.StepQueue?.Properties).toMatchObject({
      QueueName: 'sluice-ci-steps.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['StepDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(queues.StepDeadLetterQueue?.Properties.FifoQueue).toBe(true);
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    const mappingOf = (queue: string) =>
      mappings.find(
        (m) =>
          JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] }),
      );
    expect(mappings).toHaveLength(2);
    for (const queue of ['TimerQueue', 'StepQueue']) {
      const mapping = mappingOf(queue);
      expect(mapping?.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(JSON.stringify(mapping?.Properties.FunctionName)).toContain('StepLambdaFunction');
    }
    // The passes' concurrency is the stage parameter every client divides the cluster bound by.
    expect(mappingOf('StepQueue')?.Properties.ScalingConfig).toEqual({
      MaximumConcurrency: { Ref: 'StepMaxConcurrency' },
    });
    const scaling = resolver.resolve(mappingOf('StepQueue')?.Properties.ScalingConfig) as {
      MaximumConcurrency: unknown;
    };
    expect(String(scaling.MaximumConcurrency)).toBe('2');
    expect(mappingOf('TimerQueue')?.Properties.ScalingConfig).toBeUndefined();
    const on = (arn: string) => (fn: string) =>
      statementsOf(resolver, fn)
        .filter((s) => resourcesOf(s).includes(arn))
        .flatMap(actions)
        .sort();
    const onTimers = on('arn:aws:sqs:us-east-1:123456789012:sluice-ci-timers');
    const onSteps = on('arn:aws:sqs:us-east-1:123456789012:sluice-ci-steps.fifo');
    const consume = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage'];
    expect(onTimers('step')).toEqual(consume);
    expect(onSteps('step')).toEqual(consume);
    for (const fn of FUNCTIONS.filter((f) => f !== 'step')) {
      expect(onTimers(fn)).toEqual(['sqs:SendMessage']);
      expect(onSteps(fn)).toEqual([]);
    }
    const step = ofType('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'sluice-ci-step');
    for (const queue of ['TimerQueue', 'StepQueue'])
      expect(queues[queue]?.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(
        6 * (step?.Properties.Timeout as number),
      );
  });

  it('passes the bus name and settings to every function through the environment', () => {
    for (const fn of FUNCTIONS) {
      const vars = environmentOf(resolver, fn);
      expect(vars.SLUICE_EVENT_BUS).toBe('sluice-ci');
      expect(vars.LOG_LEVEL).toBe('info');
      expect(vars.SLUICE_TIMER_QUEUE_URL).toBe(
        'https://sqs.us-east-1.amazonaws.com/123456789012/sluice-ci-timers',
      );
      expect(vars.SLUICE_STEP_QUEUE_URL).toBe(
        'https://sqs.us-east-1.amazonaws.com/123456789012/sluice-ci-steps.fifo',
      );
      expect([vars.SLUICE_CLUSTER_QPS, vars.SLUICE_CLUSTER_BURST, vars.SLUICE_STEP_MAX_CONCURRENCY]).toEqual([
        '40',
        '80',
        '2',
      ]);
    }
    expect(environmentOf(resolver, 'promote').SLUICE_WEBHOOK_SECRET_ID).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice/ci/webhook-AbCdEf',
    );
  });

  it("keeps every function environment under Lambda's 4 KB (counted as Lambda does: names and values)", () => {
    for (const fn of FUNCTIONS) {
      const env = environmentOf(resolver, fn);
      const bytes = Object.entries(env).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
        0,
      );
      expect(bytes).toBeLessThan(4096);
    }
  });

  it('has no IAM statement with a "*" in an action, and a "*" resource only for cloudwatch:GetMetricData', () => {
    for (const role of ofType('AWS::IAM::Role')) {
      const docs = (role.Properties.Policies as { PolicyDocument: unknown }[]).map((p) =>
        resolver.resolve(p.PolicyDocument),
      ) as { Statement: { Action: string | string[]; Resource: string | string[] }[] }[];
      const statements = docs.flatMap((d) => d.Statement);
      expect(statements.length).toBeGreaterThan(0);
      for (const st of statements) {
        for (const a of [st.Action].flat()) expect(a).not.toContain('*');
        // GetMetricData has no resource-level permissions: "*" is the only resource IAM accepts for it.
        const wide = [st.Resource].flat().includes('*');
        if (wide) expect([st.Action].flat()).toEqual(['cloudwatch:GetMetricData']);
      }
    }
  });

  it('holds no secret in clear: no key material, tokens or kubeconfig credentials in the template', () => {
    const patterns = [
      /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/,
      /LS0tLS1CRUdJTi/, // base64 of "-----BEGIN"
      /k8s-aws-v1\./,
      /client-key-data|client-certificate-data|certificate-authority-data/,
      /\b(AKIA|ASIA)[A-Z0-9]{16}\b/,
      /\\?"token\\?"\s*:|\btoken:\s*\S/i, // a kubeconfig user's token, as JSON or YAML
      /\\"secret\\"\s*:\s*\\"/, // a {"secret": "..."} value (the generated key has only its template)
    ];
    const found = (text: string) => patterns.filter((p) => p.test(text));
    expect(found(templateText)).toEqual([]);
    // the detector itself: an inline kubeconfig's user in an environment value is caught
    const planted = JSON.stringify({ SLUICE_CLUSTERS: 'users:\n- name: u\n  user:\n    token: abc' });
    expect(found(templateText + planted)).toHaveLength(1);
    for (const fn of FUNCTIONS) {
      for (const [k, v] of Object.entries(environmentOf(resolver, fn))) {
        expect(`${k}=${v}`).not.toMatch(/BEGIN|k8s-aws-v1|kubeconfig|password|"secret"/i);
      }
    }
  });

  it('uses every parameter docs/deploy.md lists', () => {
    const doc = readFileSync('docs/deploy.md', 'utf8');
    const section = doc.slice(doc.indexOf('## 2. Parameters'), doc.indexOf('## 3.'));
    const documented = [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThanOrEqual(10);
    // Each stage parameter is the Default of one template parameter (deploy/aws/parameters.yml) ...
    const params = readFileSync('deploy/aws/parameters.yml', 'utf8');
    const templateParams = packagedParameters();
    for (const name of documented) {
      const m = new RegExp(`^  ([A-Za-z]+):\\n(?:    .*\\n)*?    Default: \\$\\{param:${name}\\}$`, 'm').exec(
        params,
      );
      expect({ name, templateParameter: m?.[1] }).toEqual({ name, templateParameter: expect.any(String) });
      const tp = m![1]!;
      expect(templateParams).toContain(tp);
      // ... which the template uses outside its own definition (Ref, or ${Name} in a Sub).
      const uses = JSON.stringify(resources).match(new RegExp(`"Ref":"${tp}"|\\$\\{${tp}\\}`, 'g')) ?? [];
      expect({ name, uses: uses.length > 0 }).toEqual({ name, uses: true });
    }
  });
});

function packagedParameters(): string[] {
  return Object.keys((JSON.parse(templateText) as { Parameters?: object }).Parameters ?? {});
}
