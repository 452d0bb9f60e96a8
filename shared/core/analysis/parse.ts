/**
 * The structural check at the boundary: `unknown` (an object read from the API server or a file) → an
 * AnalysisTemplate, ClusterAnalysisTemplate or AnalysisRun. Types only (a list is a list, a limit is an integer or a
 * string); value rules are {@link validateMetrics}'s, with Argo's messages. Unknown fields are kept.
 * Pure module: no I/O imports.
 */
import { AnalysisParseError } from './errors.js';
import type { AnalysisRun, AnalysisTemplate } from './types.js';

type Check = (v: unknown, path: string) => string | undefined;
type Problem = { path: string; detail: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function shown(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : String(v);
}

class Found extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

const leaf =
  (ok: (v: unknown) => boolean, expected: string): Check =>
  (v) =>
    ok(v) ? undefined : `expected ${expected}, got ${shown(v)}`;
const str = leaf((v) => typeof v === 'string', 'a string');
const bool = leaf((v) => typeof v === 'boolean', 'a boolean');
const int = leaf((v) => Number.isInteger(v), 'an integer');
const intOrString = leaf((v) => typeof v === 'string' || Number.isInteger(v), 'an integer or a string');
const num = leaf((v) => typeof v === 'number' && Number.isFinite(v), 'a number');
const obj = leaf(isObject, 'an object');

function fields(spec: Record<string, Check>, required: string[] = []): Check {
  return (v, path) => {
    if (!isObject(v)) return `expected an object, got ${shown(v)}`;
    for (const key of required)
      if (v[key] === undefined || v[key] === null)
        throw new Found({ path: `${path}.${key}`, detail: 'required' });
    for (const [key, check] of Object.entries(spec)) {
      const child = v[key];
      if (child === undefined || child === null) continue;
      const detail = check(child, `${path}.${key}`);
      if (detail !== undefined) throw new Found({ path: `${path}.${key}`, detail });
    }
    return undefined;
  };
}

function list(item: Check): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return `expected a list, got ${shown(v)}`;
    v.forEach((x: unknown, i) => {
      const detail = item(x, `${path}[${i}]`);
      if (detail !== undefined) throw new Found({ path: `${path}[${i}]`, detail });
    });
    return undefined;
  };
}

const keyValues = list(fields({ key: str, value: str }, ['key']));
const provider = fields({
  prometheus: fields({
    address: str,
    query: str,
    timeout: num,
    insecure: bool,
    headers: keyValues,
    authentication: obj,
    rangeQuery: fields({ start: str, end: str, step: str }),
  }),
  web: fields({
    method: str,
    url: str,
    headers: keyValues,
    body: str,
    timeoutSeconds: num,
    jsonPath: str,
    insecure: bool,
    authentication: obj,
  }),
  cloudWatch: fields({
    interval: str,
    metricDataQueries: list(
      fields({
        id: str,
        expression: str,
        label: str,
        returnData: bool,
        period: intOrString,
        metricStat: obj,
      }),
    ),
  }),
});
const metric = fields(
  {
    name: str,
    interval: str,
    initialDelay: str,
    count: intOrString,
    successCondition: str,
    failureCondition: str,
    failureLimit: intOrString,
    inconclusiveLimit: intOrString,
    consecutiveErrorLimit: intOrString,
    consecutiveSuccessLimit: intOrString,
    provider,
  },
  ['name', 'provider'],
);
const argument = fields(
  {
    name: str,
    value: str,
    valueFrom: fields({
      secretKeyRef: fields({ name: str, key: str }, ['name', 'key']),
      fieldRef: fields({ fieldPath: str }, ['fieldPath']),
      podTemplateHashValue: str,
    }),
  },
  ['name'],
);
const common = {
  metrics: list(metric),
  args: list(argument),
  dryRun: list(fields({ metricName: str }, ['metricName'])),
  measurementRetention: list(fields({ metricName: str, limit: int }, ['metricName', 'limit'])),
};
const templateSpec = fields({
  ...common,
  templates: list(fields({ templateName: str, clusterScope: bool }, ['templateName'])),
});
const runSpec = fields({ ...common, terminate: bool, ttlStrategy: obj }, ['metrics']);
const metadata = fields({ name: str, namespace: str, uid: str, labels: obj, annotations: obj });

function subjectOf(kind: string, v: unknown): string {
  const meta = isObject(v) && isObject(v['metadata']) ? v['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : undefined;
  const ns = typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : '';
  return name ? `${kind} ${ns}${name}` : kind;
}

function checkObject(v: unknown, kinds: string[], spec: Check): void {
  const subject = subjectOf(kinds[0] ?? '', v);
  if (!isObject(v)) throw new AnalysisParseError(subject, '', `expected an object, got ${shown(v)}`);
  const kind = typeof v['kind'] === 'string' ? v['kind'] : '';
  const named = kinds.includes(kind) ? subjectOf(kind, v) : subject;
  if (v['apiVersion'] !== 'argoproj.io/v1alpha1')
    throw new AnalysisParseError(
      named,
      'apiVersion',
      `expected "argoproj.io/v1alpha1", got ${shown(v['apiVersion'])}`,
    );
  if (!kinds.includes(kind))
    throw new AnalysisParseError(
      named,
      'kind',
      `expected ${kinds.map((k) => JSON.stringify(k)).join(' or ')}, got ${shown(v['kind'])}`,
    );
  try {
    for (const [key, check] of [
      ['metadata', metadata],
      ['spec', spec],
    ] as const) {
      if (v[key] === undefined || v[key] === null) throw new Found({ path: key, detail: 'required' });
      const detail = check(v[key], key);
      if (detail !== undefined) throw new Found({ path: key, detail });
    }
  } catch (e) {
    if (e instanceof Found) throw new AnalysisParseError(named, e.problem.path, e.problem.detail);
    throw e;
  }
}

/**
 * Checks an AnalysisTemplate or ClusterAnalysisTemplate and returns a deep copy typed as one.
 *
 * @throws AnalysisParseError naming the object and the field path.
 */
export function parseAnalysisTemplate(v: unknown): AnalysisTemplate {
  checkObject(v, ['AnalysisTemplate', 'ClusterAnalysisTemplate'], templateSpec);
  return structuredClone(v) as AnalysisTemplate;
}

/**
 * Checks an AnalysisRun (spec; the status is taken as it is) and returns a deep copy typed as one.
 *
 * @throws AnalysisParseError naming the object and the field path.
 */
export function parseAnalysisRun(v: unknown): AnalysisRun {
  checkObject(v, ['AnalysisRun'], runSpec);
  return structuredClone(v) as AnalysisRun;
}
