/**
 * The structural check at the boundary: `unknown` (a Rollout as read from the API server or a file) → `Rollout`.
 *
 * Only types are checked here (a number is a number, a list is a list); value rules such as "setWeight between 0 and
 * 100" belong to {@link validateRolloutSpec}, which reports them the way Argo Rollouts does. Unknown fields are kept.
 * Pure module: no I/O imports.
 */
import { RolloutParseError } from './errors.js';
import type { Rollout } from './types.js';
import { copyJson, isJsonObject } from './json.js';

/** Where and why a value has the wrong shape. */
interface Problem {
  path: string;
  detail: string;
}
type Check = (value: unknown, path: string) => Problem | undefined;

const API_VERSION = 'argoproj.io/v1alpha1';

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function leaf(ok: (v: unknown) => boolean, expected: string): Check {
  return (v, path) => (ok(v) ? undefined : { path, detail: `expected ${expected}, got ${describe(v)}` });
}

const str = leaf((v) => typeof v === 'string', 'a string');
const bool = leaf((v) => typeof v === 'boolean', 'a boolean');
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const int: Check = (v, path) =>
  leaf(isNumber, 'a number')(v, path) ?? leaf(Number.isInteger, 'an integer')(v, path);
const intOrString: Check = (v, path) =>
  typeof v === 'string' ? undefined : leaf((x) => Number.isInteger(x), 'an integer or a string')(v, path);
const anything: Check = () => undefined;

/** An object whose listed fields (when present and not null) pass their checks; other fields are kept unchecked. */
function fields(spec: Record<string, Check>): Check {
  return (v, path) => {
    if (!isJsonObject(v)) return { path, detail: `expected an object, got ${describe(v)}` };
    for (const [key, check] of Object.entries(spec)) {
      const child = v[key];
      if (child === undefined || child === null) continue;
      const problem = check(child, join(path, key));
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

function list(item: Check): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return { path, detail: `expected a list, got ${describe(v)}` };
    for (const [i, el] of v.entries()) {
      const problem = item(el, `${path}[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

function mapOf(item: Check): Check {
  return (v, path) => {
    if (!isJsonObject(v)) return { path, detail: `expected an object, got ${describe(v)}` };
    for (const [key, el] of Object.entries(v)) {
      const problem = item(el, join(path, key));
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

const stringMap = mapOf(str);
const stringList = list(str);
const stringMatch = fields({ exact: str, prefix: str, regex: str });
const labelSelector = fields({
  matchLabels: stringMap,
  matchExpressions: list(fields({ key: str, operator: str, values: stringList })),
});
const vsRef = fields({
  name: str,
  routes: stringList,
  tlsRoutes: list(fields({ port: int, sniHosts: stringList })),
  tcpRoutes: list(fields({ port: int })),
});
const step = fields({
  setWeight: int,
  pause: fields({ duration: intOrString }),
  setCanaryScale: fields({ replicas: int, weight: int, matchTrafficWeight: bool }),
  setHeaderRoute: fields({
    name: str,
    match: list(fields({ headerName: str, headerValue: stringMatch })),
  }),
  setMirrorRoute: fields({
    name: str,
    percentage: int,
    match: list(fields({ method: stringMatch, path: stringMatch, headers: mapOf(stringMatch) })),
  }),
});
const canary = fields({
  canaryService: str,
  stableService: str,
  steps: list(step),
  trafficRouting: fields({
    istio: fields({
      virtualService: vsRef,
      virtualServices: list(vsRef),
      destinationRule: fields({
        name: str,
        canarySubsetName: str,
        stableSubsetName: str,
        additionalSubsetNames: stringList,
      }),
    }),
    managedRoutes: list(fields({ name: str })),
    maxTrafficWeight: int,
  }),
  scaleDownDelaySeconds: int,
  scaleDownDelayRevisionLimit: int,
  abortScaleDownDelaySeconds: int,
  dynamicStableScale: bool,
  minPodsPerReplicaSet: int,
  maxSurge: intOrString,
  maxUnavailable: intOrString,
  pingPong: fields({ pingService: str, pongService: str }),
});
const spec = fields({
  replicas: int,
  selector: labelSelector,
  template: fields({ metadata: fields({ labels: stringMap, annotations: stringMap }), spec: anything }),
  paused: bool,
  minReadySeconds: int,
  revisionHistoryLimit: int,
  progressDeadlineSeconds: int,
  progressDeadlineAbort: bool,
  restartAt: str,
  workloadRef: fields({ apiVersion: str, kind: str, name: str, scaleDown: str }),
  strategy: fields({ canary }),
});
const weight = fields({ weight: int, serviceName: str, podTemplateHash: str });
const status = fields({
  abort: bool,
  abortedAt: str,
  pauseConditions: list(fields({ reason: str, startTime: str })),
  controllerPause: bool,
  currentPodHash: str,
  stableRS: str,
  currentStepIndex: int,
  currentStepHash: str,
  promoteFull: bool,
  canary: fields({ weights: fields({ canary: weight, stable: weight, additional: list(weight) }) }),
  replicas: int,
  updatedReplicas: int,
  readyReplicas: int,
  availableReplicas: int,
  HPAReplicas: int,
  selector: str,
  observedGeneration: str,
  collisionCount: int,
  phase: str,
  message: str,
  restartedAt: str,
  workloadObservedGeneration: str,
  conditions: list(
    fields({
      type: str,
      status: str,
      reason: str,
      message: str,
      lastUpdateTime: str,
      lastTransitionTime: str,
    }),
  ),
});
const metadata = fields({
  name: str,
  namespace: str,
  generation: int,
  labels: stringMap,
  annotations: stringMap,
});

function identity(o: Record<string, unknown>): string | undefined {
  const meta = o['metadata'];
  if (!isJsonObject(meta)) return undefined;
  const { name, namespace } = meta;
  if (typeof name !== 'string' || name === '') return undefined;
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
}

/**
 * Checks the shape of a Rollout and returns a deep copy typed as {@link Rollout}. `null` members are dropped from
 * the copy (the API server and Go's decoder treat them as absent); every other field, known or not, is kept.
 *
 * @throws RolloutParseError naming the Rollout and the field, e.g.
 *   `Rollout shop/reviews: spec.replicas: expected a number, got "3"`.
 * @example
 * ```ts
 * const rollout = parseRollout(await gateway.get(...)); // typed, or a RolloutParseError
 * ```
 */
export function parseRollout(input: unknown): Rollout {
  if (!isJsonObject(input))
    throw new RolloutParseError(undefined, '', `expected an object, got ${describe(input)}`);
  const o = copyJson(input) as Record<string, unknown>;
  const id = identity(o);
  if (o['apiVersion'] !== API_VERSION)
    throw new RolloutParseError(
      id,
      'apiVersion',
      `expected "${API_VERSION}", got ${describe(o['apiVersion'])}`,
    );
  if (o['kind'] !== 'Rollout')
    throw new RolloutParseError(id, 'kind', `expected "Rollout", got ${describe(o['kind'])}`);
  const meta = o['metadata'];
  if (!isJsonObject(meta))
    throw new RolloutParseError(id, 'metadata', `expected an object, got ${describe(meta)}`);
  for (const key of ['name', 'namespace'] as const) {
    if (typeof meta[key] !== 'string' || meta[key] === '')
      throw new RolloutParseError(
        id,
        `metadata.${key}`,
        `expected a non-empty string, got ${describe(meta[key])}`,
      );
  }
  const problem =
    metadata(meta, 'metadata') ??
    spec(o['spec'], 'spec') ??
    (o['status'] === undefined ? undefined : status(o['status'], 'status'));
  if (problem !== undefined) throw new RolloutParseError(id, problem.path, problem.detail);
  return o as unknown as Rollout;
}
