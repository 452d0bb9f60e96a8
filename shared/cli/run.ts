/**
 * `sluice run`: the local control plane. With no `--kubeconfig` it runs the sandbox (sandbox-run.ts); with one
 * or more, it drives real clusters: every tick it lists the Rollouts carrying the instance-id label and runs the
 * step use case for each one that has work due, until SIGINT/SIGTERM (the current pass finishes first).
 */
import { isDue } from '../engine/due.js';
import type { KubeGateway } from '../kube/gateway.js';
import { LABELS, type Rollout } from '../rollout/types.js';
import { parseFlags, UsageError } from './args.js';
import { connect } from './connect.js';
import { runSandbox } from './sandbox-run.js';
import { decisionLine } from './sandbox-view.js';

export const RUN_USAGE = `usage: sluice run [flags]
  (no --kubeconfig)        SIMULATION: in-memory API, simulated pods and traffic, examples/reviews
  --kubeconfig FILE        drive a real cluster (repeat for several clusters)
  --context NAME           kubeconfig context (single cluster)
  --allow-loopback-http    accept an http://127.0.0.1 API server in the kubeconfig
  --instance-id ID         only Rollouts labelled ${LABELS.instanceId}=ID (default $SLUICE_INSTANCE_ID or "sluice")
  --interval SECONDS       tick length (default 1 in the sandbox, 5 with clusters)
  --auto-promote           sandbox: promote indefinite pauses automatically (default when stdin is not a TTY)
  --exit-when-done         sandbox: exit when the rollout is Healthy (default)
  --keep-running           sandbox: keep the API and loop running after the story ends
  --timeout SECONDS        sandbox: give up after this long (default 120)`;

const FLAGS = {
  kubeconfig: { type: 'string', multiple: true },
  context: { type: 'string' },
  'allow-loopback-http': { type: 'boolean' },
  'instance-id': { type: 'string' },
  interval: { type: 'string' },
  'auto-promote': { type: 'boolean' },
  'exit-when-done': { type: 'boolean' },
  'keep-running': { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${flag} must be a positive number of seconds, got "${value}"`);
  return n;
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * Entry point of `sluice run`; resolves with the exit code.
 * @example process.exitCode = await main(['--auto-promote']);
 */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    out(RUN_USAGE);
    return 0;
  }
  const kubeconfigs = values.kubeconfig ?? [];
  if (kubeconfigs.length === 0) {
    const interactive = process.stdin.isTTY === true && !values['auto-promote'];
    return runSandbox({
      intervalMs: seconds(values.interval, 'interval', 1) * 1000,
      autoPromote: !interactive,
      autoPromoteDelayMs: 3000,
      keepRunning: values['keep-running'] === true && values['exit-when-done'] !== true,
      timeoutMs: seconds(values.timeout, 'timeout', 120) * 1000,
      requestsPerTick: 200,
      out,
      ...(interactive ? { keys: process.stdin } : {}),
    });
  }
  if (kubeconfigs.length > 1 && values.context)
    throw new UsageError('--context applies to a single --kubeconfig');
  const clusters: { file: string; gateway: KubeGateway }[] = [];
  for (const file of kubeconfigs) {
    const gateway = await connect(
      {
        kubeconfig: file,
        ...(values.context ? { context: values.context } : {}),
        allowLoopbackHttp: values['allow-loopback-http'] === true,
      },
      process.env,
    );
    clusters.push({ file, gateway });
  }
  const instanceId = values['instance-id'] ?? process.env.SLUICE_INSTANCE_ID ?? 'sluice';
  return runClusters(clusters, { instanceId, intervalMs: seconds(values.interval, 'interval', 5) * 1000 });
}

type Settle = (typeof import('../usecases/step.js'))['runUntilSettled'];

/** One pass over one cluster: every due Rollout is stepped until settled. Returns 1 when the pass failed. */
async function passCluster(
  { file, gateway }: { file: string; gateway: KubeGateway },
  instanceId: string,
  runUntilSettled: Settle,
  stopping: () => boolean,
): Promise<number> {
  try {
    const selector = `${LABELS.instanceId}=${instanceId}`;
    const { items } = await gateway.list('rollouts', undefined, { labelSelector: selector });
    const due = (items as Rollout[]).filter((r) => isDue(r, new Date()));
    for (const r of due) {
      if (stopping()) break;
      const ref = { namespace: r.metadata.namespace, name: r.metadata.name };
      const results = await runUntilSettled({ gateway, now: () => new Date() }, ref);
      results
        .map(decisionLine)
        .forEach((line) => line && out(`${new Date().toISOString()}  ${file}: ${line}`));
    }
    return 0;
  } catch (err) {
    out(
      `${new Date().toISOString()}  ${file}: pass failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  }
}

/** Drives real clusters until a stop signal; resolves 0 after a clean stop. */
export async function runClusters(
  clusters: { file: string; gateway: KubeGateway }[],
  opts: { instanceId: string; intervalMs: number },
): Promise<number> {
  const { runUntilSettled } = await import('../usecases/step.js');
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = (signal: string): void => {
    if (!stopping) out(`${signal}: finishing the current pass, then exiting`);
    stopping = true;
    wake?.();
  };
  const onInt = (): void => stop('SIGINT');
  const onTerm = (): void => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  out(
    `sluice run: ${clusters.length} cluster(s), Rollouts labelled ${LABELS.instanceId}=${opts.instanceId}, every ${opts.intervalMs / 1000}s`,
  );
  let failures = 0;
  try {
    while (!stopping) {
      for (const cluster of clusters) {
        if (stopping) break;
        failures += await passCluster(cluster, opts.instanceId, runUntilSettled, () => stopping);
      }
      if (!stopping) await new Promise<void>((r) => ((wake = r), setTimeout(r, opts.intervalMs)));
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  out(`sluice run stopped (${failures} failed pass${failures === 1 ? '' : 'es'})`);
  return 0;
}
