/**
 * The resource types the sandbox API server serves, and the Kubernetes `Status` errors it answers with
 * (same code, reason, message and details as kube-apiserver).
 */
import { ROLLOUT_DEFAULTS, type FieldDefault } from './crd-defaults.js';

/** A resource type the fake serves. */
export interface ServedResource {
  /** `''` for the core group. */
  group: string;
  /** Served versions; all are the same stored objects (conversion None). The first is the storage version. */
  versions: string[];
  plural: string;
  kind: string;
  /** A custom resource (CRD): status dropped on create, PUT needs a resourceVersion, SMP is refused. */
  custom: boolean;
  /** Has a `/status` subresource: the main resource ignores status writes and `/status` ignores the rest. */
  statusSubresource: boolean;
  /** metadata.generation is kept (bumped on a spec change). */
  generation: boolean;
  /** Status given to a newly created object of a built-in type with a status subresource. */
  initialStatus?: Record<string, unknown>;
  /** Fields the CRD's structural schema defaults (set on every write when absent). */
  defaults?: readonly FieldDefault[];
  /** `status` fields of a built-in type that are `omitempty` integers: kube-apiserver never stores them as 0. */
  omitZeroStatus?: readonly string[];
  /** Cluster-scoped (no namespace in its paths; stored with namespace `''`). Namespaced when unset. */
  clusterScoped?: boolean;
}

const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'];

/** Everything the sandbox serves. */
export const SERVED: readonly ServedResource[] = [
  {
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    plural: 'rollouts',
    kind: 'Rollout',
    custom: true,
    statusSubresource: true,
    generation: true,
    defaults: ROLLOUT_DEFAULTS,
  },
  // Argo's analysis CRDs have no status subresource: a status write is an ordinary update (and bumps generation).
  ...(['AnalysisTemplate', 'AnalysisRun', 'ClusterAnalysisTemplate'] as const).map((kind) => ({
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    plural: `${kind.toLowerCase()}s`,
    kind,
    custom: true,
    statusSubresource: false,
    generation: true,
    ...(kind === 'ClusterAnalysisTemplate' ? { clusterScoped: true } : {}),
  })),
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'replicasets',
    kind: 'ReplicaSet',
    custom: false,
    statusSubresource: true,
    generation: true,
    initialStatus: { replicas: 0 },
    omitZeroStatus: ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
  },
  // Deployments: only read (a Rollout's spec.workloadRef) and scaled (workloadRef.scaleDown); nothing runs them.
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'deployments',
    kind: 'Deployment',
    custom: false,
    statusSubresource: true,
    generation: true,
    initialStatus: {},
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'services',
    kind: 'Service',
    custom: false,
    statusSubresource: true,
    generation: false,
    initialStatus: { loadBalancer: {} },
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'events',
    kind: 'Event',
    custom: false,
    statusSubresource: false,
    generation: false,
  },
  // Pods: the sandbox's kubelet runs none (it sets ReplicaSet status directly), so a restart finds no old pods; a
  // `pods/<name>/eviction` POST deletes the pod (no disruption budgets).
  {
    group: '',
    versions: ['v1'],
    plural: 'pods',
    kind: 'Pod',
    custom: false,
    statusSubresource: true,
    generation: false,
    initialStatus: { phase: 'Pending' },
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'secrets',
    kind: 'Secret',
    custom: false,
    statusSubresource: false,
    generation: false,
  },
  {
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    plural: 'virtualservices',
    kind: 'VirtualService',
    custom: true,
    statusSubresource: true,
    generation: true,
  },
  {
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    plural: 'destinationrules',
    kind: 'DestinationRule',
    custom: true,
    statusSubresource: true,
    generation: true,
  },
];

/** `rollouts.argoproj.io`, or `services` for the core group (the form used in API error messages). */
export function qualifiedName(res: ServedResource): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

/** `argoproj.io/v1alpha1`, or `v1` for the core group. */
export function apiVersionOf(res: ServedResource, version: string): string {
  return res.group ? `${res.group}/${version}` : version;
}

/** Looks up a served resource by group, version and plural. */
export function findServed(group: string, version: string, plural: string): ServedResource | undefined {
  return SERVED.find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
}

/** A Kubernetes `Status` object describing a failure. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

/** A failed API request: HTTP code + Status body. */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(readonly status: StatusBody) {
    super(status.message);
  }
}

function fail(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): ApiStatusError {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return new ApiStatusError(body);
}

function detailsOf(res: ServedResource, name: string): Record<string, unknown> {
  return res.group ? { name, group: res.group, kind: res.plural } : { name, kind: res.plural };
}

/** The Status errors, worded as kube-apiserver words them. */
export const errors = {
  notFound: (res: ServedResource, name: string): ApiStatusError =>
    fail(404, 'NotFound', `${qualifiedName(res)} "${name}" not found`, detailsOf(res, name)),
  alreadyExists: (res: ServedResource, name: string): ApiStatusError =>
    fail(409, 'AlreadyExists', `${qualifiedName(res)} "${name}" already exists`, detailsOf(res, name)),
  conflict: (res: ServedResource, name: string): ApiStatusError =>
    fail(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedName(res)} "${name}": the object has been modified; ` +
        'please apply your changes to the latest version and try again',
      detailsOf(res, name),
    ),
  /** Custom resources name the plural (`rollouts.argoproj.io`); built-ins the kind (`ReplicaSet.apps`). */
  invalid: (res: ServedResource, name: string, field: string, detail: string): ApiStatusError => {
    const what = res.custom ? qualifiedName(res) : `${res.kind}${res.group ? `.${res.group}` : ''}`;
    return fail(422, 'Invalid', `${what} "${name}" is invalid: ${field}: ${detail}`, {
      ...detailsOf(res, name),
      kind: res.custom ? res.plural : res.kind,
      causes: [{ reason: 'FieldValueInvalid', message: detail, field }],
    });
  },
  /** A JSON Patch that does not apply (failed `test`, missing path): 422 with the generic message. */
  patchRejected: (): ApiStatusError =>
    fail(422, 'Invalid', 'the server rejected our request due to an error in our request', {}),
  badRequest: (message: string): ApiStatusError => fail(400, 'BadRequest', message),
  unsupportedMediaType: (accepted: string[]): ApiStatusError =>
    fail(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  noRoute: (): ApiStatusError =>
    fail(404, 'NotFound', 'the server could not find the requested resource', {}),
  methodNotAllowed: (): ApiStatusError =>
    fail(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  expired: (requested: string, oldest: number): ApiStatusError =>
    fail(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
};
