/**
 * The packaged CloudFormation template, resolved as CloudFormation resolves it at deploy time: template parameters
 * (their defaults, or the values given), pseudo parameters, conditions, `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`,
 * `Fn::Join`, `Fn::Split`, `Fn::Equals`/`Not`/`And`/`Or` and `AWS::NoValue`. Resources the test "created" are given by their
 * physical id (what `Ref` returns) and attributes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CloudFormation template (the parts the tests read). */
export interface Template {
  Parameters?: Record<string, { Type: string; Default?: string; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
}

/** What a deployment decided: parameter values and the physical resources. */
export interface Deployment {
  region: string;
  accountId: string;
  stackName: string;
  /** Template parameter values (missing ones take their Default). */
  parameters?: Record<string, string>;
  /** Per logical id: what `Ref` returns and the `Fn::GetAtt` attributes. */
  resources?: Record<string, { ref: string; attributes?: Record<string, string> }>;
}

/** Marker for `Ref: AWS::NoValue` (the property is removed). */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Packages the service offline with osls (no AWS credentials) into a new folder; returns it and the template. */
export function packageStack(params: Record<string, string> = {}): { dir: string; template: Template } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-package-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_REGION: 'us-east-1',
  };
  const args = ['package', '--stage', 'ci', '--package', dir];
  for (const [k, v] of Object.entries(params)) args.push(`--param=${k}=${v}`);
  execFileSync('node_modules/.bin/osls', args, { env, stdio: 'pipe' });
  const template = JSON.parse(
    readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir, template };
}

/** Resolves intrinsic functions in template values for one deployment. */
export class Resolver {
  constructor(
    readonly template: Template,
    readonly deployment: Deployment,
  ) {}

  /** A template parameter's value: the deployment's, else its Default. */
  parameter(name: string): string {
    const given = this.deployment.parameters?.[name];
    if (given !== undefined) return given;
    const def = this.template.Parameters?.[name]?.Default;
    if (def === undefined) throw new Error(`template parameter ${name} has no value and no default`);
    return def;
  }

  /** Whether a named condition holds. */
  condition(name: string): boolean {
    const c = this.template.Conditions?.[name];
    if (c === undefined) throw new Error(`no condition ${name}`);
    return this.truth(c);
  }

  /** Whether the resource is created (no Condition, or it holds). */
  created(logicalId: string): boolean {
    const r = this.template.Resources[logicalId];
    if (!r) return false;
    return r.Condition === undefined || this.condition(r.Condition);
  }

  private truth(expr: unknown): boolean {
    const o = expr as Record<string, unknown[]>;
    if ('Fn::Equals' in o) {
      const [a, b] = o['Fn::Equals']!.map((x) => this.resolve(x));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ('Fn::Not' in o) return !this.truth(o['Fn::Not']![0]);
    if ('Fn::And' in o) return o['Fn::And']!.every((x) => this.truth(x));
    if ('Fn::Or' in o) return o['Fn::Or']!.some((x) => this.truth(x));
    if ('Condition' in o) return this.condition(o.Condition as unknown as string);
    throw new Error(`unsupported condition ${JSON.stringify(expr)}`);
  }

  private ref(name: string): string | typeof NO_VALUE {
    const pseudo: Record<string, string> = {
      'AWS::Region': this.deployment.region,
      'AWS::AccountId': this.deployment.accountId,
      'AWS::Partition': 'aws',
      'AWS::StackName': this.deployment.stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (pseudo[name] !== undefined) return pseudo[name];
    if (this.template.Parameters?.[name]) return this.parameter(name);
    const physical = this.deployment.resources?.[name];
    if (!physical) throw new Error(`Ref ${name}: not a parameter and not a deployed resource`);
    return physical.ref;
  }

  private getAtt(logicalId: string, attribute: string): string {
    const value = this.deployment.resources?.[logicalId]?.attributes?.[attribute];
    if (value === undefined) throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: not deployed`);
    return value;
  }

  private sub(arg: unknown): string {
    const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
      if (name in vars) return String(this.resolve(vars[name]));
      if (name.includes('.')) {
        const [id, att] = name.split('.') as [string, string];
        return this.getAtt(id, att);
      }
      return String(this.ref(name));
    });
  }

  /** `value` with every intrinsic function resolved (`AWS::NoValue` removes the key or list item). */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')))
      return this.intrinsic(keys[0]!, o[keys[0]!]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      const r = this.resolve(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private intrinsic(k: string, a: unknown): unknown {
    if (k === 'Ref') return this.ref(a as string);
    if (k === 'Fn::GetAtt') {
      const [id, att] = (typeof a === 'string' ? a.split('.') : a) as [string, string];
      return this.getAtt(id, att);
    }
    if (k === 'Fn::Sub') return this.sub(a);
    if (k === 'Fn::If') {
      const [cond, yes, no] = a as [string, unknown, unknown];
      return this.resolve(this.condition(cond) ? yes : no);
    }
    if (k === 'Fn::Join') {
      const [sep, parts] = a as [string, unknown[]];
      return (this.resolve(parts) as unknown[]).join(sep);
    }
    if (k === 'Fn::Split') {
      const [sep, text] = a as [string, unknown];
      return String(this.resolve(text)).split(sep);
    }
    throw new Error(`unsupported intrinsic ${k}`);
  }
}

/** IAM's resource pattern matching: `*` any run of characters, `?` exactly one. */
export function iamResourceMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(arn);
}
