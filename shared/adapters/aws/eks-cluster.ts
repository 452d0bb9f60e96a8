/**
 * An EKS cluster's API endpoint and certificate authority, looked up with `eks:DescribeCluster` (so the cluster
 * registry names a cluster, not its CA), cached per (region, cluster) for at most 5 minutes. A failed lookup is
 * not cached. The EKS client is loaded on the first lookup: a function whose registry has no `eks` entry never loads it.
 */
import type { EKSClient } from '@aws-sdk/client-eks';

/** What a kubeconfig for an EKS cluster needs besides the token. */
export interface EksEndpoint {
  /** `cluster.endpoint`, an https URL. */
  endpoint: string;
  /** `cluster.certificateAuthority.data` (base64 PEM). */
  caData: string;
}

/** Looks up an EKS cluster's endpoint and CA. */
export type DescribeEks = (clusterName: string, region: string) => Promise<EksEndpoint>;

/** The EKS client of a region (built on first use by {@link eksClients}). */
export type EksClientOf = (region: string) => EKSClient | Promise<EKSClient>;

const MAX_TTL_MS = 5 * 60 * 1000;

/**
 * A cached `eks:DescribeCluster` lookup. `client(region)` gives the EKS client of a region (entries may name
 * clusters in several regions).
 * @throws Error naming the cluster and region when the cluster is unknown, not ACTIVE yet, or has no endpoint/CA.
 */
export function eksDescriber(
  client: EksClientOf,
  ttlMs = MAX_TTL_MS,
  now: () => number = Date.now,
): DescribeEks {
  const ttl = Math.min(ttlMs, MAX_TTL_MS);
  const cache = new Map<string, { at: number; value: Promise<EksEndpoint> }>();
  return (clusterName, region) => {
    const key = `${region}/${clusterName}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    const value = Promise.resolve(client(region)).then((c) => describe(c, clusterName, region));
    cache.set(key, { at: now(), value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };
}

async function describe(client: EKSClient, clusterName: string, region: string): Promise<EksEndpoint> {
  const { DescribeClusterCommand } = await import('@aws-sdk/client-eks');
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

const newEksClient = async (region: string): Promise<EKSClient> =>
  new (await import('@aws-sdk/client-eks')).EKSClient({ region });

/** One EKS client per region, created (and by default its module loaded) on first use. */
export function eksClients(make: EksClientOf = newEksClient): (region: string) => Promise<EKSClient> {
  const clients = new Map<string, Promise<EKSClient>>();
  return (region: string): Promise<EKSClient> => {
    let c = clients.get(region);
    if (!c) {
      c = Promise.resolve(make(region));
      clients.set(region, c);
      // A failed build (module load) is not kept: the next lookup tries again.
      c.catch(() => clients.get(region) === c && clients.delete(region));
    }
    return c;
  };
}
