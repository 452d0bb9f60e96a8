/**
 * A real server that speaks the AWS APIs on loopback: moto's server mode (PyPI `moto[server]`, from the venv that
 * `tools/py/venv.sh` builds and `.ci/run` exports as SLUICE_PY_VENV); `useAwsServer()` (aws-server.ts) gives a
 * test file one. It serves EventBridge, SQS, Secrets Manager, SSM, STS, EKS and CloudWatch on
 * one endpoint; point an SDK client at it with {@link awsClientConfig}. No jest here: the bench uses it too.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../tools/test-cluster/proc.js';

/** A running moto server. */
export interface AwsServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  stop(): Promise<void>;
}

/** The region every test uses. */
export const TEST_REGION = 'us-east-1';

function venvDir(): string {
  const fromEnv = process.env.SLUICE_PY_VENV;
  if (fromEnv && existsSync(path.join(fromEnv, 'bin', 'moto_server'))) return fromEnv;
  const script = path.resolve(process.cwd(), 'tools', 'py', 'venv.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

async function waitReady(endpoint: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server at ${endpoint} was not ready within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts moto's server on a free loopback port and waits until it answers. */
export async function startAwsServer(): Promise<AwsServer> {
  const bin = path.join(venvDir(), 'bin', 'moto_server');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AWS_DEFAULT_REGION: TEST_REGION },
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  try {
    await waitReady(endpoint, child, Date.now() + 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** SDK client options for the loopback server (static test credentials, path-style, no retries to hide faults). */
export function awsClientConfig(server: AwsServer): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return {
    endpoint: server.endpoint,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
}
