/**
 * Temporary credentials of a role named by a metric (`sigv4.roleArn`, Amazon Managed Service for Prometheus), from
 * STS `AssumeRole` made with the control plane's own identity. Only roles the operator listed are assumed (stack
 * parameter `MetricRoleArns`, `SLUICE_METRIC_ROLE_ARNS`); the role's trust policy must trust the control plane's
 * role. Credentials are reused until {@link ASSUMED_RENEW_BEFORE_MS} before they expire. `@aws-sdk/client-sts` is
 * loaded on the first assumed role, not at a function's cold start.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials } from './eks-token.js';

/** Assumed credentials are renewed this long before their expiry. */
export const ASSUMED_RENEW_BEFORE_MS = 5 * 60 * 1000;
/** The session name CloudTrail shows for sluice's metric queries. */
export const METRIC_ROLE_SESSION = 'sluice-metrics';
/** Where the operator lists the roles (named in the refusal). */
export const METRIC_ROLES_SETTING =
  'the MetricRoleArns stack parameter (SLUICE_METRIC_ROLE_ARNS for sluice run)';

/** Builds the STS client of a region (the SDK's default credentials: the function's role). */
export type StsClientOf = (region: string) => STSClient | Promise<STSClient>;

/** The default STS client factory: the module is imported on first use. */
export const stsClients = (): StsClientOf => {
  const clients = new Map<string, Promise<STSClient>>();
  return (region) => {
    let c = clients.get(region);
    if (!c) {
      c = import('@aws-sdk/client-sts').then((m) => new m.STSClient({ region }));
      clients.set(region, c);
    }
    return c;
  };
};

/** A comma-separated list of role ARNs (`SLUICE_METRIC_ROLE_ARNS`); empty entries dropped. */
export function parseRoleArns(raw: string | undefined): string[] {
  const arns = (raw ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const a of arns)
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(a))
      throw new Error(
        `metric role ARN list: "${a}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      );
  return arns;
}

/** The operator's allowed metric roles and their cached credentials. */
export class AssumedRoles {
  private readonly cache = new Map<string, Promise<{ credentials: AwsCredentials; expires: number }>>();
  private readonly allowed: ReadonlySet<string>;

  constructor(
    allowed: readonly string[],
    private readonly sts: StsClientOf = stsClients(),
    private readonly now: () => number = Date.now,
  ) {
    this.allowed = new Set(allowed);
  }

  /**
   * Credentials of `roleArn`, from the cache or a new `AssumeRole` in `region`.
   *
   * @throws Error naming the role when it is not allowed or STS refuses it.
   */
  async credentials(roleArn: string, region: string, signal?: AbortSignal): Promise<AwsCredentials> {
    if (!this.allowed.has(roleArn))
      throw new Error(
        `prometheus sigv4.roleArn "${roleArn}" is not an allowed metric role of this control plane: list it in ${METRIC_ROLES_SETTING}`,
      );
    const key = `${region}|${roleArn}`;
    const hit = this.cache.get(key);
    if (hit) {
      const got = await hit.catch(() => undefined);
      if (got && this.now() < got.expires - ASSUMED_RENEW_BEFORE_MS) return got.credentials;
      if (this.cache.get(key) === hit) this.cache.delete(key);
    }
    const pending = this.assume(roleArn, region, signal);
    this.cache.set(key, pending);
    try {
      return (await pending).credentials;
    } catch (err) {
      if (this.cache.get(key) === pending) this.cache.delete(key);
      throw err;
    }
  }

  private async assume(
    roleArn: string,
    region: string,
    signal?: AbortSignal,
  ): Promise<{ credentials: AwsCredentials; expires: number }> {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const client = await this.sts(region);
    let out;
    try {
      out = await client.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: METRIC_ROLE_SESSION }),
        signal ? { abortSignal: signal } : {},
      );
    } catch (err) {
      throw new Error(`sts:AssumeRole ${roleArn} failed: ${(err as Error).name}: ${(err as Error).message}`);
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`sts:AssumeRole ${roleArn} returned no credentials`);
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      },
      expires: c.Expiration ? c.Expiration.getTime() : this.now(),
    };
  }
}
