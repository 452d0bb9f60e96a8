/**
 * An EKS cluster's API endpoint and certificate authority, looked up with `eks:DescribeCluster` (so the cluster
 * registry names a cluster, not its CA), cached per (region, cluster) for at most 5 minutes. A failed lookup is
 * not cached.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';

/** What a kubeconfig for an EKS cluster needs besides the token. */
export interface EksEndpoint {
  /** `cluster.endpoint`, an https URL. */
  endpoint: string;
  /** `cluster.certificateAuthority.data` (base64 PEM). */
  caData: string;
}

/** Looks up an EKS cluster's endpoint and CA. */
export type DescribeEks = (clusterName: string, region: string) => Promise<EksEndpoint>;

const MAX_TTL_MS = 5 * 60 * 1000;

/**
 * A cached `eks:DescribeCluster` lookup. `client(region)` gives the EKS client of a region (entries may name
 * clusters in several regions).
 * @throws Error naming the cluster and region when the cluster is unknown, not ACTIVE yet, or has no endpoint/CA.
 */
export function eksDescriber(
  client: (region: string) => EKSClient,
  ttlMs = MAX_TTL_MS,
  now: () => number = Date.now,
): DescribeEks {
  const ttl = Math.min(ttlMs, MAX_TTL_MS);
  const cache = new Map<string, { at: number; value: Promise<EksEndpoint> }>();
  return (clusterName, region) => {
    const key = `${region}/${clusterName}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    const value = describe(client(region), clusterName, region);
    cache.set(key, { at: now(), value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };
}

async function describe(client: EKSClient, clusterName: string, region: string): Promise<EksEndpoint> {
  let out;
  try {
    out = await client.send(new DescribeClusterCommand({ name: clusterName }));
  } catch (err) {
    throw new Error(
      `eks:DescribeCluster of ${clusterName} in ${region} failed: ${(err as Error).name}: ${(err as Error).message}`,
    );
  }
  const endpoint = out.cluster?.endpoint;
  const caData = out.cluster?.certificateAuthority?.data;
  if (!endpoint || !caData) {
    throw new Error(
      `EKS cluster ${clusterName} in ${region} has no endpoint or certificate authority yet (status ${out.cluster?.status ?? 'unknown'})`,
    );
  }
  return { endpoint, caData };
}

/** One EKS client per region, created on first use. */
export function eksClients(
  make: (region: string) => EKSClient = (region) => new EKSClient({ region }),
): (region: string) => EKSClient {
  const clients = new Map<string, EKSClient>();
  return (region: string): EKSClient => {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = make(region)));
    return c;
  };
}
