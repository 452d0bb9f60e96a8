/** Kubeconfig fixtures for unit tests: fake (header-only) PEM blocks, base64-encoded as kubeconfigs carry them. */
import { stringify } from 'yaml';

const b64 = (s: string) => Buffer.from(s).toString('base64');
export const CA_DATA = b64('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n');
export const CERT_DATA = b64('-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n');
export const KEY_DATA = b64('-----BEGIN RSA PRIVATE KEY-----\nMIIBkey\n-----END RSA PRIVATE KEY-----\n');

type Doc = Record<string, unknown>;

/** The shape `istioctl x create-remote-secret` emits: one cluster, one token user, one context. */
export function remoteSecretDoc(): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: 'east',
        cluster: { server: 'https://east.example.com:6443', 'certificate-authority-data': CA_DATA },
      },
    ],
    users: [{ name: 'east', user: { token: 'abc.def.ghi' } }],
    contexts: [{ name: 'east', context: { cluster: 'east', user: 'east' } }],
    'current-context': 'east',
  };
}

/** Deep-copy `doc`, apply `edit`, and return YAML. */
export function yamlOf(
  edit: (d: Doc & { clusters: Doc[]; users: Doc[]; contexts: Doc[] }) => void = () => {},
): string {
  const d = structuredClone(remoteSecretDoc()) as Doc & { clusters: Doc[]; users: Doc[]; contexts: Doc[] };
  edit(d);
  return stringify(d);
}

/** The cluster mapping of entry i. */
export const clusterOf = (d: { clusters: Doc[] }, i = 0) => (d.clusters[i] as { cluster: Doc }).cluster;
/** The user mapping of entry i. */
export const userOf = (d: { users: Doc[] }, i = 0) => (d.users[i] as { user: Doc }).user;
