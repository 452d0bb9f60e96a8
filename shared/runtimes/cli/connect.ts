/**
 * Builds a KubeGateway from a kubeconfig file, through the allow-list parser (never client-node's own loader).
 */
import { MAX_KUBECONFIG_FILE_BYTES, readBoundedFile } from '../../adapters/kube/bounded-file.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { parseKubeconfig, toKubeConfig } from '../../adapters/kube/kubeconfig.js';
import { createGateway } from '../../adapters/kube/client-gateway.js';
import { UsageError } from './args.js';

/** Kubeconfig selection, as in kubectl. */
export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  allowLoopbackHttp?: boolean;
}

/** The kubeconfig path: `--kubeconfig`, else the first entry of `$KUBECONFIG`, else `~/.kube/config`. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p !== '');
  return fromEnv ?? join(homedir(), '.kube', 'config');
}

/** Reads, validates and connects. A missing or rejected kubeconfig is a UsageError (exit 2). */
export async function connect(opts: ConnectOptions, env: NodeJS.ProcessEnv): Promise<KubeGateway> {
  const path = kubeconfigPath(opts.kubeconfig, env);
  let text: string;
  try {
    text = await readBoundedFile(path, 'kubeconfig', MAX_KUBECONFIG_FILE_BYTES);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  let safe;
  try {
    safe = parseKubeconfig(text, {
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.allowLoopbackHttp ? { allowLoopbackHttp: true } : {}),
    });
  } catch (err) {
    throw new UsageError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return createGateway(toKubeConfig(safe), {});
}
