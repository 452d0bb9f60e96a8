/**
 * The metric providers of `sluice run` and `sluice analysis run`: each cluster's allow-list is its registry entry's
 * `allowMetricAddresses` plus the `--allow-metric-address` flags (which apply to every cluster); SigV4 and
 * CloudWatch use the AWS SDK's default credentials and region of this process, resolved only when a metric needs them;
 * a `sigv4.roleArn` is assumed with them when `SLUICE_METRIC_ROLE_ARNS` lists it.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AssumedRoles, parseRoleArns } from '../../adapters/aws/assume-role.js';
import { parseAllowList, type AllowList } from '../../adapters/metrics/allow-list.js';
import { createMetricProviders } from '../../adapters/metrics/providers.js';
import type { MetricProviders } from '../../app/ports.js';

/** A cluster's name and the entries its registry entry allows. */
export interface MetricCluster {
  name: string;
  allowMetricAddresses?: string[];
}

/**
 * Builds the providers.
 *
 * @throws AllowListError naming the flag entry that is not an IP address or CIDR range; Error naming an entry of
 *   `SLUICE_METRIC_ROLE_ARNS` that is not a role ARN.
 * @example localMetricProviders(clusters, ['10.0.0.0/8'])
 */
export function localMetricProviders(clusters: MetricCluster[], flagEntries: string[]): MetricProviders {
  parseAllowList(flagEntries, '--allow-metric-address');
  const roleArns = parseRoleArns(process.env.SLUICE_METRIC_ROLE_ARNS);
  const lists = new Map<string, AllowList>(
    clusters.map((c) => [c.name, parseAllowList([...(c.allowMetricAddresses ?? []), ...flagEntries])]),
  );
  let client: Promise<CloudWatchClient> | undefined;
  const cloudWatch = (): Promise<CloudWatchClient> =>
    (client ??= import('@aws-sdk/client-cloudwatch').then((m) => new m.CloudWatchClient({})));
  return createMetricProviders({
    allowList: (cluster) => lists.get(cluster) ?? parseAllowList(flagEntries),
    cloudWatch,
    aws: {
      credentials: async () => (await cloudWatch()).config.credentials(),
      ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
      ...(roleArns.length > 0 ? { roles: new AssumedRoles(roleArns) } : {}),
    },
  });
}
