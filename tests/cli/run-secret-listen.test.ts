/**
 * `sluice run` as a process on the real cluster, without a signing key and with `--listen 0.0.0.0`: it warns that
 * the API is plain HTTP and should sit behind TLS, generates a key into a private 0600 file in a 0700 directory of
 * the temporary directory, and removes both on a clean exit (SIGTERM).
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { clusterInfo } from '../support/cluster.js';

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sluice run --listen 0.0.0.0 with a generated signing key', () => {
  it('warns about plain HTTP, keeps the key in a private file, and removes it on a clean exit', async () => {
    const args = [
      'bin/sluice.mjs',
      'run',
      '--kubeconfig',
      clusterInfo().kubeconfigPath,
      '--cluster-name',
      'test',
    ];
    args.push('--listen', '0.0.0.0', '--port', '0', '--no-watch', '--interval', '30s');
    args.push('--instance-id', `run-secret-${process.pid}`);
    const proc = spawn('node_modules/.bin/node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await until('the start banner and warning', () => output.includes('WARNING: '));
      expect(output).toContain(
        'WARNING: the HTTP API listens on 0.0.0.0, reachable from other machines, over plain HTTP: requests are ' +
          'signed but not encrypted (status and reasons can be read on the way). Put it behind a TLS-terminating ' +
          'proxy, or use --listen 127.0.0.1.',
      );
      const file = /generated for this run, in (\S+) \(removed when the run stops\)/.exec(output)?.[1] ?? '';
      expect(file.startsWith(join(tmpdir(), 'sluice-run-'))).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      proc.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect({ file: existsSync(file), dir: existsSync(dirname(file)) }).toEqual({ file: false, dir: false });
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  }, 60_000);
});
