/**
 * `sluice analysis run <template> --arg k=v`: evaluates an AnalysisTemplate (or, with `--cluster-scope`, a
 * ClusterAnalysisTemplate) against its live providers now and prints each metric's query, value and verdict. Creates
 * nothing. Exit 0 when every metric is Successful, 1 otherwise (or when the template cannot be evaluated), 2 on bad
 * usage.
 */
import { checkAnalysisTemplate, type MetricCheck } from '../../app/analysis-check.js';
import type { MetricProviders } from '../../app/ports.js';
import { localMetricProviders } from '../local/metrics.js';
import { CLUSTER_FLAGS, parseFlags, UsageError, type Io } from './args.js';
import type { Connector } from './commands.js';

export const ANALYSIS_USAGE = `usage: sluice analysis run <template> [--arg NAME=VALUE]... [flags]
  evaluate the template's metrics against their providers now and print each query, value and verdict
  (nothing is created; exit 0 when every metric is Successful, 1 otherwise)
  --arg NAME=VALUE         a value for the template's arg (repeat); Secret-backed args are read from the namespace
  --namespace NS           namespace of the template and of the Secrets its args name (default "default")
  --cluster-scope          the template is a ClusterAnalysisTemplate
  --allow-metric-address CIDR
                           a non-public provider address to allow (repeat; e.g. 127.0.0.1, 10.0.0.0/8)
  --timeout SECONDS        how long the providers may take (default 60)
  --json                   print the measurements as JSON
  --kubeconfig FILE, --context NAME, --allow-loopback-http   as for the other cluster commands`;

const FLAGS = {
  ...CLUSTER_FLAGS,
  arg: { type: 'string', multiple: true },
  namespace: { type: 'string', short: 'n' },
  'cluster-scope': { type: 'boolean' },
  'allow-metric-address': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The name of the cluster in provider messages: the CLI talks to one cluster, the kubeconfig's. */
const CLUSTER = 'kubeconfig';

function parseArgFlags(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--arg must be NAME=VALUE, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function seconds(value: string | undefined): number {
  if (value === undefined) return 60;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds, got "${value}"`);
  return n;
}

/** The readable report of one metric. */
export function formatCheck(c: MetricCheck): string[] {
  const m = c.measurement;
  const verdict = m.phase === 'Error' ? `Error: ${m.message ?? ''}` : m.phase;
  return [
    `metric ${c.name} (${c.provider})`,
    `  query:   ${c.query}`,
    `  value:   ${m.value ?? '(none)'}`,
    `  verdict: ${verdict}`,
  ];
}

/** Prints the checks (readable or JSON) and returns the exit code. */
function report(checks: MetricCheck[], heading: string, json: boolean, io: Io): number {
  if (json) io.out(JSON.stringify(checks, null, 2));
  else {
    io.out(`${heading}: ${checks.length} metric(s) measured now, nothing created`);
    for (const c of checks) formatCheck(c).forEach((l) => io.out(l));
    if (checks.some((c) => c.measurement.message?.includes('not in the allowed metric provider addresses')))
      io.out('(allow a refused address with --allow-metric-address, e.g. --allow-metric-address 10.0.0.0/8)');
  }
  return checks.every((c) => c.measurement.phase === 'Successful') ? 0 : 1;
}

function providers(entries: string[]): MetricProviders {
  try {
    return localMetricProviders([{ name: CLUSTER }], entries);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** `sluice analysis run`. */
async function run(rest: string[], io: Io, connector: Connector): Promise<number> {
  const { values, positionals } = parseFlags(rest, FLAGS);
  if (values.help) {
    io.out(ANALYSIS_USAGE);
    return 0;
  }
  const [template] = positionals;
  if (template === undefined || positionals.length !== 1)
    throw new UsageError('usage: sluice analysis run <template> [--arg NAME=VALUE]...');
  const args = parseArgFlags(values.arg ?? []);
  const timeout = seconds(values.timeout);
  const metrics = providers(values['allow-metric-address'] ?? []);
  const { gateway } = await connector(values, io);
  const namespace = values.namespace ?? 'default';
  const clusterScope = values['cluster-scope'] === true;
  const out = await checkAnalysisTemplate(gateway, metrics, {
    cluster: CLUSTER,
    namespace,
    template,
    clusterScope,
    args,
    deadline: Date.now() + timeout * 1000,
  });
  if ('error' in out) {
    io.err(`sluice analysis run: ${out.error}`);
    return 1;
  }
  const heading = clusterScope
    ? `ClusterAnalysisTemplate ${template}`
    : `AnalysisTemplate ${namespace}/${template}`;
  return report(out.metrics, heading, values.json === true, io);
}

/** Runs `sluice analysis <subcommand>`. */
export async function main(argv: string[], io: Io, connector: Connector): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'run') return run(rest, io, connector);
  if (sub === undefined) throw new UsageError('missing analysis command (sluice analysis run --help)');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(ANALYSIS_USAGE);
    return 0;
  }
  throw new UsageError(`unknown analysis command "${sub}" (sluice analysis run --help)`);
}
