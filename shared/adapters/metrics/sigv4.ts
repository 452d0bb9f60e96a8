/**
 * SigV4 signing of a Prometheus query for Amazon Managed Service for Prometheus (service `aps`), with the function's
 * own credentials: the manifest never carries AWS keys. The signer is loaded on the first signed query.
 */
import { sigV4Signer, type AwsCredentials } from '../aws/eks-token.js';

/** What is signed. */
export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  region: string;
  credentials: AwsCredentials;
  /** Signing time (default now). */
  at?: Date;
}

/**
 * The request's headers with `host`, `x-amz-date`, (`x-amz-security-token`) and the SigV4 `authorization` header
 * added.
 *
 * @example const headers = await signAps({ method: 'POST', url, headers: {}, body, region: 'eu-west-1', credentials })
 */
export async function signAps(input: SignInput): Promise<Record<string, string>> {
  const signer = await sigV4Signer('aps', input.region, input.credentials);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of input.url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: input.url.protocol,
      hostname: input.url.hostname,
      ...(input.url.port ? { port: Number(input.url.port) } : {}),
      path: input.url.pathname,
      query,
      headers: { ...input.headers, host: input.url.host },
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
    { signingDate: input.at ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}
