/**
 * Kubeconfigs: parse untrusted text into an allow-list (`kubeconfig-parse.ts`), then construct the client-node
 * `KubeConfig` from the validated fields only. `loadFromString`/`loadFromDefault` are never used.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigRejectedError, type SafeKubeconfig } from './kubeconfig-parse.js';
import { OriginBoundKubeConfig } from './same-origin.js';

export {
  KubeconfigRejectedError,
  MAX_KUBECONFIG_CHARS,
  parseKubeconfig,
  type ParseKubeconfigOptions,
  type SafeKubeconfig,
} from './kubeconfig-parse.js';

/**
 * Build a client-node `KubeConfig` from a validated kubeconfig with `loadFromOptions`. TLS verification stays on
 * (`skipTLSVerify: false`); the only exception is a loopback `http://` server admitted by `allowLoopbackHttp`,
 * which has no TLS at all (client-node refuses plain http unless the flag is set).
 */
export function toKubeConfig(safe: SafeKubeconfig): KubeConfig {
  const plainLoopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(safe.cluster.server);
  const kc = new OriginBoundKubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: safe.cluster.name,
        server: safe.cluster.server,
        ...(safe.cluster.caData ? { caData: safe.cluster.caData } : {}),
        ...(safe.cluster.tlsServerName ? { tlsServerName: safe.cluster.tlsServerName } : {}),
        skipTLSVerify: plainLoopback,
      },
    ],
    users: [
      {
        name: safe.user.name,
        ...(safe.user.token !== undefined ? { token: safe.user.token } : {}),
        ...(safe.user.certData !== undefined ? { certData: safe.user.certData } : {}),
        ...(safe.user.keyData !== undefined ? { keyData: safe.user.keyData } : {}),
      },
    ],
    contexts: [
      {
        name: safe.contextName,
        cluster: safe.cluster.name,
        user: safe.user.name,
        ...(safe.namespace ? { namespace: safe.namespace } : {}),
      },
    ],
    currentContext: safe.contextName,
  });
  return kc;
}

/** What {@link eksKubeconfig} needs: from `eks:DescribeCluster` plus a token from `eksToken`. */
export interface EksClusterInfo {
  /** Registry name (used as cluster/user/context name). */
  name: string;
  /** `cluster.endpoint`, an https URL. */
  endpoint: string;
  /** `cluster.certificateAuthority.data` (base64 PEM). */
  caData: string;
  /** A `k8s-aws-v1.` bearer token. */
  token: string;
}

/**
 * A {@link SafeKubeconfig} for an EKS cluster authenticated with an in-process STS token (no exec plugin).
 * @throws {@link KubeconfigRejectedError} when the endpoint is not https, the CA is missing or the token is malformed.
 */
export function eksKubeconfig(info: EksClusterInfo): SafeKubeconfig {
  let url: URL;
  try {
    url = new URL(info.endpoint);
  } catch {
    throw new KubeconfigRejectedError('eks.endpoint', 'is not a valid URL');
  }
  if (url.protocol !== 'https:') throw new KubeconfigRejectedError('eks.endpoint', 'must be https://');
  const ca = info.caData.replace(/\s+/g, '');
  if (!ca || !Buffer.from(ca, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
    throw new KubeconfigRejectedError('eks.caData', 'must be base64-encoded PEM');
  }
  if (!/^k8s-aws-v1\.[A-Za-z0-9_-]+$/.test(info.token)) {
    throw new KubeconfigRejectedError('eks.token', 'must be a k8s-aws-v1. token');
  }
  return {
    contextName: info.name,
    cluster: { name: info.name, server: info.endpoint.replace(/\/+$/, ''), caData: ca },
    user: { name: info.name, token: info.token },
  };
}
