import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readBoundedFile } from '../../../../shared/adapters/kube/bounded-file.js';
import { loadClusters } from '../../../../shared/runtimes/local/clusters.js';
import { readWebhookSecret } from '../../../../shared/runtimes/local/secret.js';
import { connect } from '../../../../shared/runtimes/cli/connect.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-bounded-'));
/** A FIFO nobody writes to: reading it would block for ever. */
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const small = join(dir, 'small.txt');
writeFileSync(small, 'hello');
const big = join(dir, 'big.txt');
writeFileSync(big, 'x'.repeat(1025));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readBoundedFile', () => {
  it('reads a regular file within the cap', async () => {
    await expect(readBoundedFile(small, 'test file', 5)).resolves.toBe('hello');
  });

  it.each([
    ['/dev/zero', 'a character device, not a regular file'],
    [fifo, 'a FIFO, not a regular file'],
    [dir, 'a directory, not a regular file'],
    [big, '1025 bytes, over the 1024-byte cap'],
    [join(dir, 'missing'), 'ENOENT'],
  ])('refuses %s at once: %s', async (path, why) => {
    await expect(readBoundedFile(path, 'test file', 1024)).rejects.toThrow(
      `cannot read test file ${path}: ${why}`,
    );
  });
});

describe('every file a user names goes through it', () => {
  it.each([
    [
      'a kubeconfig (sluice run --kubeconfig)',
      (p: string) => loadClusters({ kubeconfigs: [p], names: [], allowLoopbackHttp: false }),
      'kubeconfig',
    ],
    [
      'a cluster registry (sluice run --clusters)',
      (p: string) => loadClusters({ kubeconfigs: [], names: [], registry: p, allowLoopbackHttp: false }),
      'cluster registry',
    ],
    ['a webhook secret file', (p: string) => readWebhookSecret(p, {}), 'webhook secret file'],
    [
      'a kubeconfig (sluice status --kubeconfig)',
      (p: string) => connect({ kubeconfig: p }, {}),
      'kubeconfig',
    ],
  ])('%s: /dev/zero and a FIFO are refused, not read or waited on', async (_title, read, what) => {
    await expect(read('/dev/zero')).rejects.toThrow(
      `cannot read ${what} /dev/zero: a character device, not a regular file`,
    );
    await expect(read(fifo)).rejects.toThrow(`cannot read ${what} ${fifo}: a FIFO, not a regular file`);
  });
});
