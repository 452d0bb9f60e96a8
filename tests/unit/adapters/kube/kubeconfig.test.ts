import { jest, describe, it, expect, beforeAll, beforeEach } from '@jest/globals';
import { createRequire } from 'node:module';
import { CA_DATA, CERT_DATA, KEY_DATA, clusterOf, userOf, yamlOf } from './fixtures.js';

// Pass-through spies on child_process and fs, installed before client-node is imported, so the tests can assert
// that parsing (and building the KubeConfig from a parsed file) never runs a program or reads a file.
const require = createRequire(import.meta.url);
const realCp = require('node:child_process') as typeof import('node:child_process');
const realFs = require('node:fs') as typeof import('node:fs');
const spawn = jest.fn((..._args: unknown[]) => {
  throw new Error('spawn blocked by test');
});
const spawnSync = jest.fn((..._args: unknown[]) => {
  throw new Error('spawnSync blocked by test');
});
const execSync = jest.fn((..._args: unknown[]) => {
  throw new Error('execSync blocked by test');
});
const readFileSync = jest.fn((...args: Parameters<typeof realFs.readFileSync>) =>
  realFs.readFileSync(...args),
);
const cpMock = { ...realCp, spawn, spawnSync, execSync };
const fsMock = { ...realFs, readFileSync };
jest.unstable_mockModule('node:child_process', () => ({ ...cpMock, default: cpMock }));
jest.unstable_mockModule('node:fs', () => ({ ...fsMock, default: fsMock }));

let mod: typeof import('../../../../shared/adapters/kube/kubeconfig.js');
let client: typeof import('@kubernetes/client-node');
beforeAll(async () => {
  mod = await import('../../../../shared/adapters/kube/kubeconfig.js');
  client = await import('@kubernetes/client-node');
});
beforeEach(() => {
  spawn.mockClear();
  spawnSync.mockClear();
  execSync.mockClear();
  readFileSync.mockClear();
});

type Edit = Parameters<typeof yamlOf>[0];

const rejected: [string, Edit, string][] = [
  [
    'an exec plugin',
    (d) => (userOf(d).exec = { command: '/bin/sh', args: ['-c', 'id'] }),
    'users[0].user.exec is not allowed (it would run a local program)',
  ],
  [
    'an auth-provider',
    (d) => (userOf(d)['auth-provider'] = { name: 'gcp', config: { 'cmd-path': 'sh' } }),
    'users[0].user.auth-provider is not allowed',
  ],
  [
    'a tokenFile',
    (d) => (userOf(d).tokenFile = '/var/run/secrets/token'),
    'users[0].user.tokenFile is not allowed (it would read a local file)',
  ],
  [
    'a client-certificate file',
    (d) => {
      userOf(d).token = undefined;
      userOf(d)['client-certificate'] = '/etc/cert.pem';
    },
    'users[0].user.client-certificate is not allowed (it would read a local file)',
  ],
  [
    'a client-key file',
    (d) => (userOf(d)['client-key'] = '/etc/key.pem'),
    'users[0].user.client-key is not allowed (it would read a local file)',
  ],
  [
    'a certificate-authority file',
    (d) => (clusterOf(d)['certificate-authority'] = '/etc/ca.pem'),
    'clusters[0].cluster.certificate-authority is not allowed (it would read a local file)',
  ],
  [
    'a proxy-url',
    (d) => (clusterOf(d)['proxy-url'] = 'http://evil:3128'),
    'clusters[0].cluster.proxy-url is not allowed (it would reroute traffic through a proxy)',
  ],
  [
    'insecure-skip-tls-verify',
    (d) => (clusterOf(d)['insecure-skip-tls-verify'] = true),
    'clusters[0].cluster.insecure-skip-tls-verify is not allowed (TLS must always be verified)',
  ],
  [
    'impersonation (as)',
    (d) => (userOf(d).as = 'system:admin'),
    'users[0].user.as is not allowed (impersonation is not allowed)',
  ],
  [
    'impersonation (as-groups)',
    (d) => (userOf(d)['as-groups'] = ['system:masters']),
    'users[0].user.as-groups is not allowed',
  ],
  [
    'basic auth username',
    (d) => (userOf(d).username = 'admin'),
    'users[0].user.username is not allowed (basic authentication is not allowed)',
  ],
  ['basic auth password', (d) => (userOf(d).password = 'hunter2'), 'users[0].user.password is not allowed'],
  ['an unknown user field', (d) => (userOf(d).foo = 1), 'users[0].user.foo is not an allowed field'],
  [
    'an http server',
    (d) => (clusterOf(d).server = 'http://east.example.com'),
    'clusters[0].cluster.server must be https:// (got http://)',
  ],
  [
    'a server with credentials',
    (d) => (clusterOf(d).server = 'https://u:p@east.example.com'),
    'clusters[0].cluster.server must not carry credentials',
  ],
  [
    'a missing CA',
    (d) => delete clusterOf(d)['certificate-authority-data'],
    'clusters[0].cluster.certificate-authority-data is required',
  ],
  [
    'an empty CA',
    (d) => (clusterOf(d)['certificate-authority-data'] = ''),
    'clusters[0].cluster.certificate-authority-data must be a non-empty string',
  ],
  [
    'a CA that is not PEM',
    (d) => (clusterOf(d)['certificate-authority-data'] = Buffer.from('hello').toString('base64')),
    'certificate-authority-data must be base64-encoded PEM',
  ],
  [
    'two clusters',
    (d) =>
      d.clusters.push({
        name: 'west',
        cluster: { server: 'https://w', 'certificate-authority-data': CA_DATA },
      }),
    'clusters must hold exactly one cluster (found 2)',
  ],
  [
    'two users',
    (d) => d.users.push({ name: 'w', user: { token: 't' } }),
    'users must hold exactly one user (found 2)',
  ],
  [
    'two contexts',
    (d) => d.contexts.push({ name: 'w', context: { cluster: 'east', user: 'east' } }),
    'contexts must hold exactly one context (found 2)',
  ],
  [
    'an exec in an unused user',
    (d) => {
      d.users.push({ name: 'w', user: { exec: { command: 'x' } } });
    },
    'users[1].user.exec is not allowed',
  ],
  [
    'a user with no credentials',
    (d) => delete userOf(d).token,
    'users[0].user must have token, or both client-certificate-data and client-key-data',
  ],
  [
    'a token plus a client cert',
    (d) => {
      userOf(d)['client-certificate-data'] = CERT_DATA;
      userOf(d)['client-key-data'] = KEY_DATA;
    },
    'not both',
  ],
  [
    'a context naming a missing user',
    (d) => ((d.contexts[0] as { context: Record<string, unknown> }).context.user = 'nobody'),
    'contexts[0].context.user names user "nobody" which does not exist',
  ],
  [
    'a current-context naming another context',
    (d) => (d['current-context'] = 'other'),
    'current-context names "other"',
  ],
  ['an unknown top-level key', (d) => (d.extensions = []), '$.extensions is not an allowed field'],
];

describe('parseKubeconfig', () => {
  it('accepts the create-remote-secret shape and keeps only the allow-listed fields', () => {
    const safe = mod.parseKubeconfig(yamlOf());
    expect(safe).toEqual({
      contextName: 'east',
      cluster: { name: 'east', server: 'https://east.example.com:6443', caData: CA_DATA },
      user: { name: 'east', token: 'abc.def.ghi' },
    });
  });

  it('accepts an inline client certificate user', () => {
    const safe = mod.parseKubeconfig(
      yamlOf((d) => {
        userOf(d).token = undefined;
        delete userOf(d).token;
        userOf(d)['client-certificate-data'] = CERT_DATA;
        userOf(d)['client-key-data'] = KEY_DATA;
      }),
    );
    expect(safe.user).toEqual({ name: 'east', certData: CERT_DATA, keyData: KEY_DATA });
  });

  it.each(rejected)(
    'rejects %s, naming the field, without running a program or reading a file',
    (_what, edit, message) => {
      const text = yamlOf(edit);
      expect(() => mod.parseKubeconfig(text)).toThrow(mod.KubeconfigRejectedError);
      expect(() => mod.parseKubeconfig(text)).toThrow(message);
      expect(spawn).not.toHaveBeenCalled();
      expect(spawnSync).not.toHaveBeenCalled();
      expect(execSync).not.toHaveBeenCalled();
      expect(readFileSync).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['not YAML', '{ clusters: [', 'is not valid YAML'],
    ['a YAML list', '- a\n- b\n', 'is not a YAML mapping'],
    ['empty text', '   ', 'kubeconfig rejected: is empty'],
    ['YAML aliases (billion laughs)', 'a: &a [1]\nb: *a\n', 'is not valid YAML'],
    ['an oversized document', 'x'.repeat(300 * 1024), 'larger than'],
  ])('rejects %s', (_what, text, message) => {
    expect(() => mod.parseKubeconfig(text)).toThrow(message);
  });

  it.each([
    ['__proto__', '{"__proto__": {"x": 1}}', 'users[0].user.__proto__ is not an allowed field'],
    ['constructor', '{"constructor": 1}', 'users[0].user.constructor is not an allowed field'],
  ])('rejects a %s key naming it (not an inherited reason)', (_key, user, message) => {
    const text = yamlOf((d) => (d.users = [{ name: 'east', user: '@USER@' }])).replace(
      /['"]?@USER@['"]?/,
      user,
    );
    expect(() => mod.parseKubeconfig(text)).toThrow(`kubeconfig rejected: ${message}`);
    expect(() => mod.parseKubeconfig(text)).not.toThrow(/object Object|function/);
  });

  it('picks the named context from a multi-context file', () => {
    const text = yamlOf((d) => {
      d.clusters.push({
        name: 'west',
        cluster: { server: 'https://west.example.com', 'certificate-authority-data': CA_DATA },
      });
      d.users.push({ name: 'west', user: { token: 'w' } });
      d.contexts.push({ name: 'west', context: { cluster: 'west', user: 'west', namespace: 'shop' } });
    });
    const safe = mod.parseKubeconfig(text, { context: 'west' });
    expect(safe).toMatchObject({
      contextName: 'west',
      namespace: 'shop',
      cluster: { server: 'https://west.example.com' },
    });
    expect(() => mod.parseKubeconfig(text, { context: 'north' })).toThrow(
      'context option names context "north"',
    );
  });

  it.each([
    [['east.example.com'], true],
    [['east.example.com:6443'], true],
    [['https://east.example.com:6443'], true],
    [[/^https:\/\/[a-z]+\.example\.com(:\d+)?$/], true],
    [['west.example.com'], false],
    [['https://east.example.com'], false],
    [[/^https:\/\/west\./], false],
  ])('with allowedServers %p the server is accepted: %p', (allowedServers, ok) => {
    const run = () => mod.parseKubeconfig(yamlOf(), { allowedServers });
    if (ok) expect(run().cluster.server).toBe('https://east.example.com:6443');
    else expect(run).toThrow('host east.example.com:6443 is not on the allow-list');
  });

  it('accepts a loopback http server only with allowLoopbackHttp, and never a remote http one', () => {
    const local = yamlOf((d) => {
      clusterOf(d).server = 'http://127.0.0.1:8080';
      delete clusterOf(d)['certificate-authority-data'];
    });
    expect(() => mod.parseKubeconfig(local)).toThrow('must be https://');
    expect(mod.parseKubeconfig(local, { allowLoopbackHttp: true }).cluster.server).toBe(
      'http://127.0.0.1:8080',
    );
    const remote = yamlOf((d) => (clusterOf(d).server = 'http://10.0.0.1:8080'));
    expect(() => mod.parseKubeconfig(remote, { allowLoopbackHttp: true })).toThrow('must be https://');
  });
});

describe('toKubeConfig', () => {
  it('builds a client-node config with TLS verification on, and authenticating runs no program and reads no file', async () => {
    const kc = mod.toKubeConfig(mod.parseKubeconfig(yamlOf()));
    const cluster = kc.getCurrentCluster();
    expect(cluster).toMatchObject({
      server: 'https://east.example.com:6443',
      caData: CA_DATA,
      skipTLSVerify: false,
    });
    expect(cluster?.skipTLSVerify).not.toBe(true);
    const opts: { headers?: Record<string, string>; rejectUnauthorized?: boolean } = {};
    await kc.applyToHTTPSOptions(opts as never);
    expect(opts.rejectUnauthorized).not.toBe(false);
    expect(opts.headers?.Authorization).toBe('Bearer abc.def.ghi');
    expect(spawn).not.toHaveBeenCalled();
    expect(readFileSync).not.toHaveBeenCalled();
  });

  it('control: the same spies do see client-node spawn an exec plugin from an unvalidated file', async () => {
    const kc = new client.KubeConfig();
    kc.loadFromString(
      yamlOf((d) => (userOf(d).exec = { apiVersion: 'client.authentication.k8s.io/v1', command: 'id' })),
    );
    await expect(kc.applyToHTTPSOptions({} as never)).rejects.toThrow();
    expect(spawn).toHaveBeenCalled();
  });
});

describe('eksKubeconfig', () => {
  it('builds a token kubeconfig for an https endpoint', () => {
    const safe = mod.eksKubeconfig({
      name: 'prod',
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      caData: CA_DATA,
      token: 'k8s-aws-v1.aHR0cHM',
    });
    expect(safe.cluster).toEqual({
      name: 'prod',
      server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      caData: CA_DATA,
    });
    expect(safe.user.token).toBe('k8s-aws-v1.aHR0cHM');
  });
  it.each([
    [{ endpoint: 'http://x' }, 'eks.endpoint must be https://'],
    [{ caData: '' }, 'eks.caData must be base64-encoded PEM'],
    [{ token: 'Bearer x' }, 'eks.token must be a k8s-aws-v1. token'],
  ])('rejects %p', (patch, message) => {
    const info = {
      name: 'p',
      endpoint: 'https://e.example',
      caData: CA_DATA,
      token: 'k8s-aws-v1.abc',
      ...patch,
    };
    expect(() => mod.eksKubeconfig(info)).toThrow(message);
  });
});
