/**
 * Locate the Istio primary cluster's kubeconfig: a Secret labelled `istio.argoproj.io/primary-cluster=true`
 * (the `istioctl x create-remote-secret` format: base64 kubeconfig under one data key).
 *
 * Unlike Argo Rollouts' loader (first-iterated key of the first Secret), ambiguity is an error, never a random
 * pick, and the kubeconfig goes through the allow-list parser. Addressing the Secret by name (`opts.name`) needs
 * only `get` on that one Secret; discovery by label needs `list`.
 */
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { ClusterConfigError } from '../../app/kube-port/errors.js';
import type { KubeObject } from '../../core/model/types.js';
import { parseKubeconfig, type ParseKubeconfigOptions, type SafeKubeconfig } from './kubeconfig-parse.js';

export const PRIMARY_CLUSTER_LABEL = 'istio.argoproj.io/primary-cluster';

export interface PrimaryClusterOptions {
  /** Secret name: read it directly (it must still carry the label). */
  name?: string;
  /** Data key holding the kubeconfig; required when the Secret has several. */
  key?: string;
  /** Allow-list options for the kubeconfig (e.g. allowedServers). */
  parse?: ParseKubeconfigOptions;
}

/** The primary-cluster Secret is ambiguous or unusable. */
export class PrimaryClusterError extends ClusterConfigError {
  override readonly name = 'PrimaryClusterError';
}

function labelled(s: KubeObject): boolean {
  return s.metadata.labels?.[PRIMARY_CLUSTER_LABEL] === 'true';
}

function pickKey(secret: KubeObject, namespace: string, key: string | undefined): string {
  const where = `Secret ${namespace}/${secret.metadata.name}`;
  const data = (secret.data ?? {}) as Record<string, string>;
  const keys = Object.keys(data).sort();
  if (key !== undefined) {
    if (!(key in data))
      throw new PrimaryClusterError(`${where} has no data key "${key}" (keys: ${keys.join(', ') || 'none'})`);
    return key;
  }
  if (keys.length === 0) throw new PrimaryClusterError(`${where} has no data`);
  if (keys.length > 1) {
    throw new PrimaryClusterError(
      `${where} has ${keys.length} data keys (${keys.join(', ')}); name the one to use`,
    );
  }
  return keys[0] as string;
}

/**
 * Find and parse the primary cluster's kubeconfig in `namespace`. Undefined when there is no labelled Secret
 * (use the local cluster).
 * @throws {@link PrimaryClusterError} on several Secrets, several keys with none chosen, or a missing key;
 *   `KubeconfigRejectedError` when the kubeconfig fails the allow-list; `KubeApiError` on API failures.
 */
export async function findPrimaryCluster(
  gw: KubeGateway,
  namespace: string,
  opts: PrimaryClusterOptions = {},
): Promise<{ secretName: string; key: string; kubeconfig: SafeKubeconfig } | undefined> {
  let secret: KubeObject | undefined;
  if (opts.name !== undefined) {
    secret = await gw.get('secrets', namespace, opts.name);
    if (secret && !labelled(secret)) {
      throw new PrimaryClusterError(
        `Secret ${namespace}/${opts.name} is not labelled ${PRIMARY_CLUSTER_LABEL}=true`,
      );
    }
  } else {
    const { items } = await gw.list('secrets', namespace, { labelSelector: `${PRIMARY_CLUSTER_LABEL}=true` });
    if (items.length > 1) {
      const names = items.map((s) => s.metadata.name).sort();
      throw new PrimaryClusterError(
        `${items.length} Secrets in ${namespace} are labelled ${PRIMARY_CLUSTER_LABEL}=true (${names.join(', ')}); keep one or name it`,
      );
    }
    secret = items[0];
  }
  if (!secret) return undefined;
  const key = pickKey(secret, namespace, opts.key);
  const text = Buffer.from((secret.data as Record<string, string>)[key] ?? '', 'base64').toString('utf8');
  return { secretName: secret.metadata.name, key, kubeconfig: parseKubeconfig(text, opts.parse) };
}

/** Where the Istio primary-cluster Secret is looked up in every rollout cluster. */
export interface IstioPrimaryConfig {
  namespace: string;
  /** Read this Secret with `get` only; without it, the one labelled Secret in `namespace` is found with `list`. */
  name?: string;
  /** Data key holding the kubeconfig; needed when the Secret has several. */
  key?: string;
}

/** A malformed Secret reference (`field` says which part) given to {@link parseIstioPrimaryRef}. */
export class IstioPrimaryRefError extends Error {
  override readonly name = 'IstioPrimaryRefError';
  constructor(
    readonly field: 'secret' | 'key',
    message: string,
  ) {
    super(message);
  }
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Reads `<namespace>/<name>` (or `<namespace>`, to find the Secret by label) and an optional data key, as the
 * functions' environment and `sluice run`'s flags give them.
 * @throws {@link IstioPrimaryRefError} naming the bad part.
 * @example parseIstioPrimaryRef('istio-system/primary') // { namespace: 'istio-system', name: 'primary' }
 */
export function parseIstioPrimaryRef(raw: string, key?: string): IstioPrimaryConfig {
  const [namespace = '', name, ...rest] = raw.split('/');
  if (rest.length > 0 || !DNS_NAME.test(namespace) || (name !== undefined && !DNS_NAME.test(name))) {
    throw new IstioPrimaryRefError('secret', `must be <namespace>/<name> or <namespace>, got "${raw}"`);
  }
  if (key !== undefined && key !== '' && !/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
    throw new IstioPrimaryRefError('key', `is not a Secret data key: "${key}"`);
  }
  return { namespace, ...(name === undefined ? {} : { name }), ...(key ? { key } : {}) };
}
