import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  InClusterConfigError,
  MAX_TOKEN_BYTES,
  SERVICEACCOUNT_DIR,
  inClusterServer,
  serviceAccountDir,
  serviceAccountKubeconfig,
} from '../../../../shared/adapters/kube/in-cluster.js';
import { CA_DATA } from './fixtures.js';

const TEST_CA = Buffer.from(CA_DATA, 'base64').toString('utf8');

const root = mkdtempSync(join(tmpdir(), 'sluice-in-cluster-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ENV = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

/** A ServiceAccount directory with the given files (undefined: left out). */
function saDir(files: { ca?: string; token?: string; namespace?: string }): string {
  const dir = mkdtempSync(join(root, 'sa-'));
  if (files.ca !== undefined) writeFileSync(join(dir, 'ca.crt'), files.ca);
  if (files.token !== undefined) writeFileSync(join(dir, 'token'), files.token);
  if (files.namespace !== undefined) writeFileSync(join(dir, 'namespace'), files.namespace);
  return dir;
}

const GOOD = { ca: TEST_CA, token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n', namespace: 'sluice-system\n' };

describe('inClusterServer', () => {
  it.each([
    [ENV, 'https://10.96.0.1:443'],
    [
      { KUBERNETES_SERVICE_HOST: 'fd00:10:96::1', KUBERNETES_SERVICE_PORT: '443' },
      'https://[fd00:10:96::1]:443',
    ],
    [
      { KUBERNETES_SERVICE_HOST: 'kubernetes.default.svc', KUBERNETES_SERVICE_PORT: '6443' },
      'https://kubernetes.default.svc:6443',
    ],
  ])('%j → %s', (env, server) => {
    expect(inClusterServer(env)).toBe(server);
  });

  it.each([
    [{ KUBERNETES_SERVICE_PORT: '443' }, 'KUBERNETES_SERVICE_HOST is not set: sluice run --in-cluster needs'],
    [{ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, 'KUBERNETES_SERVICE_PORT is not set'],
    [{ ...ENV, KUBERNETES_SERVICE_HOST: ' ' }, 'KUBERNETES_SERVICE_HOST is not set'],
    [
      { ...ENV, KUBERNETES_SERVICE_HOST: 'evil.example/path?' },
      'KUBERNETES_SERVICE_HOST "evil.example/path?" is not an IP',
    ],
    [{ ...ENV, KUBERNETES_SERVICE_HOST: 'user@host' }, 'is not an IP address or a DNS name'],
    [{ ...ENV, KUBERNETES_SERVICE_PORT: '0' }, 'KUBERNETES_SERVICE_PORT "0" is not a port'],
    [{ ...ENV, KUBERNETES_SERVICE_PORT: '65536' }, 'KUBERNETES_SERVICE_PORT "65536" is not a port'],
    [{ ...ENV, KUBERNETES_SERVICE_PORT: 'https' }, 'KUBERNETES_SERVICE_PORT "https" is not a port'],
  ])('%j is refused', (env, message) => {
    expect(() => inClusterServer(env)).toThrow(InClusterConfigError);
    expect(() => inClusterServer(env)).toThrow(message);
  });
});

describe('serviceAccountDir', () => {
  it('is the kubelet mount unless SLUICE_SERVICEACCOUNT_DIR names another', () => {
    expect(serviceAccountDir({})).toBe('/var/run/secrets/kubernetes.io/serviceaccount');
    expect(SERVICEACCOUNT_DIR).toBe('/var/run/secrets/kubernetes.io/serviceaccount');
    expect(serviceAccountDir({ SLUICE_SERVICEACCOUNT_DIR: '/tmp/sa' })).toBe('/tmp/sa');
  });
});

describe('serviceAccountKubeconfig', () => {
  it('reads the server, CA, token and namespace into a kubeconfig with the CA verified', async () => {
    const dir = saDir(GOOD);
    const kc = await serviceAccountKubeconfig({ ...ENV, SLUICE_SERVICEACCOUNT_DIR: dir }, 'home');
    expect(kc).toEqual({
      contextName: 'home',
      namespace: 'sluice-system',
      cluster: {
        name: 'home',
        server: 'https://10.96.0.1:443',
        caData: Buffer.from(TEST_CA).toString('base64'),
      },
      user: { name: 'home', token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
    });
  });

  it('reads the token again on every call (the kubelet rotates it)', async () => {
    const dir = saDir(GOOD);
    const env = { ...ENV, SLUICE_SERVICEACCOUNT_DIR: dir };
    expect((await serviceAccountKubeconfig(env, 'home')).user.token).toBe('eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
    writeFileSync(join(dir, 'token'), 'second-token');
    expect((await serviceAccountKubeconfig(env, 'home')).user.token).toBe('second-token');
  });

  it.each([
    [
      'no token file',
      { ...GOOD, token: undefined },
      /--in-cluster: cannot read ServiceAccount token .*\/token: ENOENT/,
    ],
    ['an empty token', { ...GOOD, token: ' \n' }, /--in-cluster: ServiceAccount token .*\/token is empty/],
    [
      'an oversized token',
      { ...GOOD, token: 'a'.repeat(MAX_TOKEN_BYTES + 1) },
      /token .*: 16385 bytes, over the 16384-byte cap/,
    ],
    [
      'a token with a space',
      { ...GOOD, token: 'abc def' },
      /token .* holds whitespace or non-printable characters/,
    ],
    [
      'a token with a newline inside',
      { ...GOOD, token: 'abc\r\nX-Evil: 1' },
      /holds whitespace or non-printable/,
    ],
    [
      'no ca.crt',
      { ...GOOD, ca: undefined },
      /--in-cluster: cannot read ServiceAccount CA .*\/ca\.crt: ENOENT/,
    ],
    [
      'a ca.crt without a certificate',
      { ...GOOD, ca: 'hello' },
      /ServiceAccount CA .*\/ca\.crt holds no PEM certificate/,
    ],
    [
      'no namespace file',
      { ...GOOD, namespace: undefined },
      /cannot read ServiceAccount namespace .*\/namespace: ENOENT/,
    ],
    ['a bad namespace', { ...GOOD, namespace: 'Not_A_Label' }, /\/namespace does not hold a namespace name/],
  ])('refuses %s, naming the file', async (_what, files, message) => {
    const env = { ...ENV, SLUICE_SERVICEACCOUNT_DIR: saDir(files) };
    await expect(serviceAccountKubeconfig(env, 'home')).rejects.toThrow(InClusterConfigError);
    await expect(serviceAccountKubeconfig(env, 'home')).rejects.toThrow(message);
  });

  it('refuses a missing directory and a missing variable before reading any file', async () => {
    await expect(
      serviceAccountKubeconfig({ ...ENV, SLUICE_SERVICEACCOUNT_DIR: join(root, 'nope') }, 'home'),
    ).rejects.toThrow(/cannot read ServiceAccount CA .*nope\/ca\.crt: ENOENT/);
    await expect(
      serviceAccountKubeconfig(
        { KUBERNETES_SERVICE_PORT: '443', SLUICE_SERVICEACCOUNT_DIR: saDir(GOOD) },
        'home',
      ),
    ).rejects.toThrow('KUBERNETES_SERVICE_HOST is not set');
  });
});
