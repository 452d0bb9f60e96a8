/**
 * EKS bearer tokens minted in-process (no `aws` CLI, no kubeconfig exec plugin), as aws-iam-authenticator does:
 * a SigV4-presigned STS `GetCallerIdentity` URL with the signed header `x-k8s-aws-id: <cluster>`, encoded as
 * `k8s-aws-v1.` + base64url (no padding). STS accepts it for 15 min after `X-Amz-Date`; we renew after 14.
 * The signer is loaded on the first token: a function whose registry has no `eks` entry never loads it.
 */
import { createHash, createHmac } from 'node:crypto';

/** AWS credentials (from the Lambda environment or an assumed role). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface EksTokenInput {
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  now: Date;
}

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** Renew a cached token this long after it was signed (STS honours it for 15 min). */
export const EKS_TOKEN_RENEW_MS = 14 * 60 * 1000;

/** Minimal SHA-256 / HMAC-SHA256 `Checksum` on node:crypto for SignatureV4. */
export class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    throw new Error('reset is not supported');
  }
}

/**
 * A SigV4 signer for `service` in `region` with node:crypto's SHA-256; `@smithy/signature-v4` is loaded on first
 * use, not at a function's cold start. One definition for EKS tokens and Amazon Managed Service for Prometheus.
 */
export async function sigV4Signer(
  service: string,
  region: string,
  credentials: AwsCredentials,
): Promise<import('@smithy/signature-v4').SignatureV4> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  return new SignatureV4({ credentials, region, service, sha256: Sha256 as never, uriEscapePath: true });
}

/**
 * The presigned STS URL for `clusterName` (exported for tests and diagnostics).
 * Synchronous in effect: it only hashes, but SignatureV4's API is async.
 */
export async function presignedStsUrl(input: EksTokenInput): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(input.clusterName)) {
    throw new Error(`EKS token: invalid cluster name ${JSON.stringify(input.clusterName)}`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(input.region))
    throw new Error(`EKS token: invalid region ${input.region}`);
  const hostname = `sts.${input.region}.amazonaws.com`;
  const signer = await sigV4Signer('sts', input.region, input.credentials);
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': input.clusterName },
    },
    { expiresIn: 60, signingDate: input.now },
  );
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== null && one !== undefined) qs.append(k, one);
  }
  return `https://${hostname}/?${qs.toString()}`;
}

/** A `k8s-aws-v1.` bearer token for the EKS cluster `clusterName`. */
export async function eksToken(input: EksTokenInput): Promise<string> {
  const url = await presignedStsUrl(input);
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** Caches one token per (cluster, region, access key), renewing it 14 min after signing. */
export class EksTokenCache {
  private readonly cache = new Map<string, { token: string; signedAt: number }>();
  constructor(private readonly mint: (input: EksTokenInput) => Promise<string> = eksToken) {}

  /**
   * A valid token for `input.now`, minted when missing, older than {@link EKS_TOKEN_RENEW_MS}, or when `fresh` (the
   * cached one was just refused with a 401).
   */
  async get(input: EksTokenInput, fresh = false): Promise<string> {
    const key = `${input.clusterName}|${input.region}|${input.credentials.accessKeyId}`;
    const hit = this.cache.get(key);
    const t = input.now.getTime();
    if (!fresh && hit && t - hit.signedAt < EKS_TOKEN_RENEW_MS && t >= hit.signedAt) return hit.token;
    const token = await this.mint(input);
    this.cache.set(key, { token, signedAt: t });
    return token;
  }

  /** Forget every token (e.g. after a 401). */
  clear(): void {
    this.cache.clear();
  }
}
