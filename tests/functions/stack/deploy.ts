/**
 * "Deploys" the parts of the packaged template the tests exercise onto the loopback AWS-API server, as
 * CloudFormation would create them, and resolves each function's environment and IAM statements.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Resolver, type Deployment, type Template } from './cfn.js';

/** Account and region moto answers with. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A generated string as `GenerateSecretString` makes it (alphanumerics when punctuation is excluded). */
function generated(spec: Record<string, unknown>): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const length = Number(spec.PasswordLength ?? 32);
  const bytes = randomBytes(length);
  const value = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  if (!spec.SecretStringTemplate) return value;
  const doc = JSON.parse(String(spec.SecretStringTemplate)) as Record<string, unknown>;
  doc[String(spec.GenerateStringKey)] = value;
  return JSON.stringify(doc);
}

/**
 * Creates every `AWS::SecretsManager::Secret` the template creates (given its conditions) on the server and
 * returns the deployment with their ARNs as physical ids (without a client: placeholders shaped as AWS's ids).
 */
export async function deploySecrets(
  template: Template,
  secrets?: SecretsManagerClient,
  base: Omit<Deployment, 'resources'> = { region: REGION, accountId: ACCOUNT, stackName: 'sluice-ci' },
): Promise<Resolver> {
  const probe = new Resolver(template, base);
  const resources = placeholders(template, probe, base);
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!secrets || r.Type !== 'AWS::SecretsManager::Secret' || !probe.created(id)) continue;
    const p = probe.resolve(r.Properties) as Record<string, unknown>;
    resources[id] = { ref: await createOrKeep(secrets, String(p.Name), p.GenerateSecretString) };
  }
  return new Resolver(template, { ...base, resources });
}

/**
 * Physical ids for the resources the tests do not create: names and ARNs shaped as CloudFormation's (an event bus
 * by its Name, a queue by its URL, anything else by the logical id).
 */
function placeholders(
  template: Template,
  probe: Resolver,
  base: Omit<Deployment, 'resources'>,
): NonNullable<Deployment['resources']> {
  const out: NonNullable<Deployment['resources']> = {};
  const arn = (service: string, rest: string) =>
    `arn:aws:${service}:${base.region}:${base.accountId}:${rest}`;
  for (const [id, r] of Object.entries(template.Resources)) {
    const named = (r.Properties as { Name?: unknown; QueueName?: unknown }) ?? {};
    let name = id;
    try {
      name = String(probe.resolve(named.Name ?? named.QueueName ?? id));
    } catch {
      // a name built from another resource: keep the logical id
    }
    if (r.Type === 'AWS::Events::EventBus')
      out[id] = { ref: name, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } };
    else if (r.Type === 'AWS::SecretsManager::Secret')
      out[id] = { ref: arn('secretsmanager', `secret:${name}-AbCdEf`) };
    else if (r.Type === 'AWS::SQS::Queue')
      out[id] = {
        ref: `https://sqs.${base.region}.amazonaws.com/${base.accountId}/${name}`,
        attributes: { Arn: arn('sqs', name), QueueName: name },
      };
    else out[id] = { ref: name, attributes: { Arn: arn('test', id) } };
  }
  return out;
}

/** Creates the secret, or (a stack update) keeps the existing one; returns its ARN. */
async function createOrKeep(secrets: SecretsManagerClient, name: string, spec: unknown): Promise<string> {
  try {
    const out = await secrets.send(
      new CreateSecretCommand({ Name: name, SecretString: generated(spec as Record<string, unknown>) }),
    );
    return out.ARN ?? '';
  } catch (err) {
    if ((err as Error).name !== 'ResourceExistsException') throw err;
    return (await secrets.send(new DescribeSecretCommand({ SecretId: name }))).ARN ?? '';
  }
}

/** A function's logical id in the template (`drift-check` → `DriftDashcheckLambdaFunction`). */
export function functionId(name: string): string {
  return `${name[0]!.toUpperCase()}${name.slice(1).replace(/-/g, 'Dash')}LambdaFunction`;
}

/** The function's environment, resolved. */
export function environmentOf(r: Resolver, name: string): Record<string, string> {
  const fn = r.template.Resources[functionId(name)];
  if (!fn) throw new Error(`no function ${name} in the template`);
  const env = fn.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
  return r.resolve(env?.Variables ?? {}) as Record<string, string>;
}

/** One IAM policy statement, resolved. */
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/** The statements of the role the function runs as (every inline policy), resolved. */
export function statementsOf(r: Resolver, name: string): Statement[] {
  const fn = r.template.Resources[functionId(name)];
  const role = fn?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  const roleId = role?.['Fn::GetAtt']?.[0];
  if (!roleId) throw new Error(`function ${name} names no role of this template`);
  const policies = (r.template.Resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: unknown }[];
  return policies.flatMap((p) => (r.resolve(p.PolicyDocument) as { Statement: Statement[] }).Statement);
}

/** Actions of a statement as a list. */
export const actions = (s: Statement): string[] => [s.Action].flat();
/** Resources of a statement as a list. */
export const resourcesOf = (s: Statement): string[] => [s.Resource].flat();
