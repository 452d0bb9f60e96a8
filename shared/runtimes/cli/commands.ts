/**
 * The cluster commands: step, status, promote/abort/retry/pause/resume. Each returns an exit code.
 */
import { userInfo } from 'node:os';
import type { KubeGateway } from '../../app/kube-port/gateway.js';
import { runStep } from '../../app/step.js';
import { applyOperatorAction } from '../../app/actions.js';
import { isOperatorAction, OPERATOR_ACTIONS } from '../../core/model/actions.js';
import { describeRollout, formatStatus } from '../../app/status-view.js';
import { CLUSTER_FLAGS, parseFlags, parseRef, parseStep, UsageError, type Io } from './args.js';
import { connect } from './connect.js';
import { SERVER_FLAGS, serverAction } from './server-client.js';

/** How a command gets its gateways (injectable for tests). */
export type Connector = (
  values: Record<string, unknown>,
  io: Io,
) => Promise<{ gateway: KubeGateway; istioGateway?: KubeGateway }>;

/** Connects from `--kubeconfig/--context` (and the optional `--istio-kubeconfig/--istio-context`). */
export const defaultConnector: Connector = async (values, io) => {
  const allowLoopbackHttp = values['allow-loopback-http'] === true;
  const gateway = await connect(
    {
      kubeconfig: values.kubeconfig as string | undefined,
      context: values.context as string | undefined,
      allowLoopbackHttp,
    },
    io.env,
  );
  if (typeof values['istio-kubeconfig'] !== 'string') return { gateway };
  const istioGateway = await connect(
    {
      kubeconfig: values['istio-kubeconfig'],
      context: values['istio-context'] as string | undefined,
      allowLoopbackHttp,
    },
    io.env,
  );
  return { gateway, istioGateway };
};

/** `sluice step <ns>/<name> [--expect-step N]`: one engine pass, one line of JSON. */
export async function stepCommand(argv: string[], io: Io, connector: Connector): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...CLUSTER_FLAGS, 'expect-step': { type: 'string' } });
  const ref = parseRef(onePositional(positionals));
  const expectedStep = parseStep(values['expect-step'], 'expect-step');
  const { gateway, istioGateway } = await connector(values, io);
  const result = await runStep(
    { gateway, ...(istioGateway ? { istioGateway } : {}), now: () => new Date() },
    { ...ref, ...(expectedStep !== undefined ? { expectedStep } : {}) },
  );
  io.out(JSON.stringify(result));
  return result.outcome === 'not-found' ? 1 : 0;
}

/** `sluice status <ns>/<name> [--watch] [--timeout S]`. With --watch, reprints on change and exits on Healthy/Degraded. */
export async function statusCommand(argv: string[], io: Io, connector: Connector): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    ...CLUSTER_FLAGS,
    watch: { type: 'boolean', short: 'w' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    interval: { type: 'string' },
  });
  const ref = parseRef(onePositional(positionals));
  const timeoutS = parseStep(values.timeout, 'timeout') ?? 600;
  const intervalMs = (parseStep(values.interval, 'interval') ?? 2) * 1000;
  const { gateway } = await connector(values, io);
  const deadline = Date.now() + timeoutS * 1000;
  let last = '';
  for (;;) {
    const view = await describeRollout(gateway, ref.namespace, ref.name);
    if (!view) {
      io.err(`rollout ${ref.namespace}/${ref.name} not found`);
      return 1;
    }
    const text = values.json ? JSON.stringify(view) : formatStatus(view);
    if (text !== last) io.out(values.watch && last ? `\n${text}` : text);
    last = text;
    if (!values.watch) return 0;
    if (view.phase === 'Healthy') return 0;
    if (view.phase === 'Degraded') return 1;
    if (Date.now() >= deadline) {
      io.err(`timed out after ${timeoutS}s waiting for ${ref.namespace}/${ref.name} (phase ${view.phase})`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The CLI's action verbs: every operator action but `promote-full`, which is `promote --full`. */
export const ACTION_VERBS: readonly string[] = OPERATOR_ACTIONS.filter((a) => a !== 'promote-full');

/** `sluice promote [--full] | abort | retry | pause | resume <ns>/<name> [--expect-step N]`. */
export async function actionCommand(
  verb: string,
  argv: string[],
  io: Io,
  connector: Connector,
): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    ...CLUSTER_FLAGS,
    'expect-step': { type: 'string' },
    full: { type: 'boolean' },
    actor: { type: 'string' },
    ...SERVER_FLAGS,
  });
  if (values.full && verb !== 'promote') throw new UsageError(`--full is only valid with promote`);
  const ref = parseRef(onePositional(positionals));
  const expectedStep = parseStep(values['expect-step'], 'expect-step');
  const action = values.full ? 'promote-full' : verb;
  if (!ACTION_VERBS.includes(verb) || !isOperatorAction(action))
    throw new UsageError(`unknown action "${verb}"`);
  if (values.server !== undefined) {
    if (values.actor !== undefined)
      throw new UsageError('--actor does not apply with --server (the API records the signing key id)');
    return serverAction(values, { ...ref, action, verb, expectedStep }, io);
  }
  const { gateway } = await connector(values, io);
  const result = await applyOperatorAction(
    { gateway, now: () => new Date() },
    {
      ...ref,
      action,
      actor: values.actor ?? `cli:${safeUser()}`,
      ...(expectedStep !== undefined ? { expectedStep } : {}),
    },
  );
  if (result.ok) io.out(result.message);
  else io.err(`${verb} ${ref.namespace}/${ref.name} failed (${result.outcome}): ${result.message}`);
  return result.ok ? 0 : 1;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function onePositional(positionals: string[]): string | undefined {
  if (positionals.length > 1)
    throw new UsageError(`expected one <namespace>/<name>, got ${positionals.length} arguments`);
  return positionals[0];
}
