/**
 * `sluice`: the operator CLI. Exit codes: 0 success, 1 failure, 2 bad usage (one-line reason on stderr).
 */
import { KubeApiError } from '../../app/kube-port/errors.js';
import { UsageError, type Io } from './args.js';
import { printable } from '../local/log-lines.js';
import {
  ACTION_VERBS,
  actionCommand,
  defaultConnector,
  statusCommand,
  stepCommand,
  type Connector,
} from './commands.js';

export const USAGE = `usage: sluice <command> [flags]
  step <ns>/<name> [--expect-step N]              run one engine pass, print one line of JSON
  status <ns>/<name> [--watch] [--json]           show a Rollout (watch exits on Healthy/Degraded)
  promote [--full] <ns>/<name> [--expect-step N]  promote the current step (or fully)
  abort | retry | pause | resume <ns>/<name> [--expect-step N]
    (actions also through the signed HTTP API: --server URL --cluster NAME [--webhook-secret-file F] [--reason R])
  plan <ns>/<name>                                show what the next pass would write (server dry run)
  validate <files|dirs>...                        check Rollout manifests offline
  analysis run <template> [--arg NAME=VALUE]...   measure a template's metrics now, create nothing
  run [flags]                                     local control plane (sluice run --help)
cluster flags: --kubeconfig FILE (default $KUBECONFIG or ~/.kube/config), --context NAME,
  --allow-loopback-http, --istio-kubeconfig FILE, --istio-context NAME`;

type Command = (rest: string[], io: Io, connector: Connector) => Promise<number>;

const action =
  (verb: string): Command =>
  (rest, io, connector) =>
    actionCommand(verb, rest, io, connector);

const help: Command = (_rest, io) => {
  io.out(USAGE);
  return Promise.resolve(0);
};

/** The commands by name: the operator action verbs, and the rest (validate, plan, analysis and run loaded on first use). */
const COMMANDS: Record<string, Command> = {
  step: stepCommand,
  status: statusCommand,
  ...Object.fromEntries(ACTION_VERBS.map((verb) => [verb, action(verb)])),
  validate: async (rest, io) => (await import('./validate.js')).main(rest, io),
  plan: async (rest, io, connector) => (await import('./plan.js')).main(rest, io, connector),
  analysis: async (rest, io, connector) => (await import('./analysis.js')).main(rest, io, connector),
  run: async (rest) => (await import('./run.js')).main(rest),
  '-h': help,
  '--help': help,
  help,
};

function commandFor(command: string | undefined): Command {
  if (command === undefined) throw new UsageError('missing command (see sluice --help)');
  const found = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!found) throw new UsageError(`unknown command "${command}" (see sluice --help)`);
  return found;
}

/** Runs one CLI invocation and returns its exit code. */
export async function main(
  argv: string[],
  io: Io = processIo(),
  connector: Connector = defaultConnector,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    return await commandFor(command)(rest, io, connector);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`sluice: ${err.message}`);
      return 2;
    }
    io.err(
      `sluice ${command}: ${err instanceof KubeApiError || err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  }
}

function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${printable(line, true)}\n`),
    err: (line) => process.stderr.write(`${printable(line, true)}\n`),
    env: process.env,
  };
}

const isEntry = process.argv[1] !== undefined && /sluice(\.mjs)?$|cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv.slice(2));
}
