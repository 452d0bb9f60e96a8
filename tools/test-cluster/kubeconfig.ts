/** Builds kubeconfig YAML with inline credentials. */
import { stringify } from 'yaml';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A one-context kubeconfig: server + inline CA, and either an inline client cert/key or a bearer token. */
export function kubeconfigYaml(o: {
  name: string;
  server: string;
  ca: string;
  user: string;
  cert?: string;
  key?: string;
  token?: string;
  namespace?: string;
}): string {
  const user: Record<string, string> = {};
  if (o.cert && o.key) {
    user['client-certificate-data'] = b64(o.cert);
    user['client-key-data'] = b64(o.key);
  }
  if (o.token) user.token = o.token;
  const context: Record<string, string> = { cluster: o.name, user: o.user };
  if (o.namespace) context.namespace = o.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: o.name, cluster: { server: o.server, 'certificate-authority-data': b64(o.ca) } }],
    users: [{ name: o.user, user }],
    contexts: [{ name: o.name, context }],
    'current-context': o.name,
  });
}
