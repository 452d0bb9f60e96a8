/**
 * `sluice analysis run`: evaluates an AnalysisTemplate (or ClusterAnalysisTemplate) against its live providers now,
 * one measurement per metric, and reports each metric's query, value and verdict — the question to answer before a
 * template gates a canary. Reads only (the templates, and the Secrets its args name); creates and writes nothing.
 */
import { mergeArgs, resolveMetrics } from '../core/analysis/args.js';
import { REDACTED } from '../core/analysis/metric.js';
import { parseAnalysisTemplate } from '../core/analysis/parse.js';
import { mergeTemplates } from '../core/analysis/templates.js';
import type { AnalysisTemplate, Argument, Measurement, Metric } from '../core/analysis/types.js';
import { validateMetrics, SPEC_INVALID } from '../core/analysis/validate.js';
import type { KubeGateway } from './kube-port/gateway.js';
import type { MetricProviders } from './ports.js';

/** What to evaluate. */
export interface AnalysisCheckInput {
  /** Registered cluster name (whose provider allow-list applies). */
  cluster: string;
  namespace: string;
  template: string;
  clusterScope: boolean;
  /** `--arg name=value`: values for the template's args (they override the template's own values). */
  args: Record<string, string>;
  /** Epoch ms by which every provider call must end. */
  deadline: number;
}

/** One metric's outcome. */
export interface MetricCheck {
  name: string;
  provider: string;
  /** The query as sent (Prometheus query, web method and URL, CloudWatch query ids), secrets masked. */
  query: string;
  measurement: Measurement;
}

/** The outcome: each metric's check, or why the template could not be evaluated. */
export type AnalysisCheck = { metrics: MetricCheck[] } | { error: string };

const kindOf = (clusterScope: boolean): string =>
  clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';

async function templates(gw: KubeGateway, namespace: string): Promise<Map<string, AnalysisTemplate>> {
  const [ns, cluster] = await Promise.all([
    gw.list('analysistemplates', namespace),
    gw.list('clusteranalysistemplates', undefined),
  ]);
  const out = new Map<string, AnalysisTemplate>();
  for (const [scope, list] of [
    ['ns', ns.items],
    ['cluster', cluster.items],
  ] as const) {
    for (const raw of list) {
      const t = parseAnalysisTemplate(raw);
      out.set(`${scope}/${t.metadata.name ?? ''}`, t);
    }
  }
  return out;
}

async function secretLookup(
  gw: KubeGateway,
  namespace: string,
  args: Argument[],
): Promise<(name: string, key: string) => { value: string } | { error: string }> {
  const names = [
    ...new Set(args.flatMap((a) => (a.valueFrom?.secretKeyRef ? [a.valueFrom.secretKeyRef.name] : []))),
  ];
  const read = new Map(
    await Promise.all(names.map(async (n) => [n, await gw.get('secrets', namespace, n)] as const)),
  );
  return (name, key) => {
    const got = read.get(name);
    if (!got) return { error: `secrets "${name}" not found` };
    const data = (got['data'] ?? {}) as Record<string, string>;
    if (!(key in data)) return { error: `key '${key}' does not exist in secret '${name}'` };
    return { value: Buffer.from(data[key] ?? '', 'base64').toString('utf8') };
  };
}

/** The query of a metric, as a person reads it. */
export function describeQuery(metric: Metric): { provider: string; query: string } {
  const p = metric.provider;
  if (p.prometheus)
    return {
      provider: 'prometheus',
      query: `${p.prometheus.query ?? ''} @ ${p.prometheus.address ?? '(no address)'}`,
    };
  if (p.web) return { provider: 'web', query: `${p.web.method || 'GET'} ${p.web.url ?? ''}` };
  if (p.cloudWatch) {
    const ids = (p.cloudWatch.metricDataQueries ?? []).map(
      (q) =>
        q.expression ??
        `${q.metricStat?.metric?.namespace ?? ''}/${q.metricStat?.metric?.metricName ?? ''} ${q.metricStat?.stat ?? ''}`,
    );
    return {
      provider: 'cloudWatch',
      query: `GetMetricData ${ids.join('; ')} over ${p.cloudWatch.interval || '5m'}`,
    };
  }
  const other = Object.keys(p).find((k) => p[k] !== undefined) ?? 'none';
  return { provider: other, query: '(not run by sluice)' };
}

const mask = (text: string, secrets: string[]): string =>
  secrets.filter((s) => s !== '').reduce((t, s) => t.split(s).join(REDACTED), text);

function maskMeasurement(m: Measurement, secrets: string[]): Measurement {
  return {
    ...m,
    ...(m.message !== undefined ? { message: mask(m.message, secrets) } : {}),
    ...(m.value !== undefined ? { value: mask(m.value, secrets) } : {}),
  };
}

/**
 * Reads the template (and the templates it names), resolves its args from `input.args` and the Secrets they name,
 * validates the metrics with Argo's messages and takes one measurement of each, concurrently.
 *
 * @returns each metric's check, or an error naming the template and the problem (not found, unresolved arg, invalid
 *   metric, unreadable Secret).
 */
export async function checkAnalysisTemplate(
  gw: KubeGateway,
  providers: MetricProviders,
  input: AnalysisCheckInput,
): Promise<AnalysisCheck> {
  const where = `${kindOf(input.clusterScope)} ${input.clusterScope ? '' : `${input.namespace}/`}${input.template}`;
  const all = await templates(gw, input.namespace);
  const merged = mergeTemplates(
    [{ templateName: input.template, clusterScope: input.clusterScope }],
    (name, cs) => all.get(`${cs ? 'cluster' : 'ns'}/${name}`),
  );
  if ('error' in merged) return { error: `${where}: ${merged.error}` };
  const incoming: Argument[] = Object.entries(input.args).map(([name, value]) => ({ name, value }));
  const unknown = incoming.find((a) => !merged.args.some((t) => t.name === a.name));
  if (unknown)
    return {
      error: `${where}: has no arg "${unknown.name}" (args: ${merged.args.map((a) => a.name).join(', ') || 'none'})`,
    };
  const args = mergeArgs(incoming, merged.args);
  if ('error' in args)
    return {
      error: `${where}: ${args.error} (pass --arg ${args.error.replace(/^args\.(\S+).*/, '$1')}=VALUE)`,
    };
  const fieldRef = args.args.find((a) => a.value === undefined && a.valueFrom?.fieldRef);
  if (fieldRef)
    return {
      error: `${where}: arg "${fieldRef.name}" comes from a Rollout field; pass --arg ${fieldRef.name}=VALUE`,
    };
  const lookup = await secretLookup(gw, input.namespace, args.args);
  const resolved = resolveMetrics(merged.metrics, args.args, lookup);
  if ('error' in resolved) return { error: `${where}: ${resolved.error}` };
  const invalid = validateMetrics(resolved.metrics);
  if (invalid) return { error: `${where}: ${SPEC_INVALID}${invalid}` };
  const metrics = await Promise.all(
    resolved.metrics.map(async (metric): Promise<MetricCheck> => {
      const { measurement } = await providers.measure({
        cluster: input.cluster,
        namespace: input.namespace,
        metric,
        deadline: input.deadline,
      });
      const { provider, query } = describeQuery(metric);
      return {
        name: metric.name,
        provider,
        query: mask(query, resolved.secrets),
        measurement: maskMeasurement(measurement, resolved.secrets),
      };
    }),
  );
  return { metrics };
}
