/**
 * A small in-memory KubeGateway for use-case unit tests: resourceVersions, JSON Patch `test` preconditions,
 * merge-patch resourceVersion preconditions, delete preconditions (uid, resourceVersion), the status subresource
 * split, dry runs, and a call log.
 * Kubernetes behaviour that matters is tested against the real kube-apiserver in tests/journeys.
 */
import type { KubeObject } from '../../../shared/core/model/types.js';
import type { JsonPatchOp, ResourceName, Target } from '../../../shared/core/engine/types.js';
import type { DeleteOptions, KubeGateway, WriteOptions } from '../../../shared/app/kube-port/gateway.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';
import {
  applyJsonPatch,
  clone,
  mergePatch,
  PatchApplyError,
} from '../../../shared/runtimes/sandbox/json-patch.js';

export interface Call {
  verb: 'get' | 'list' | 'create' | 'patch' | 'mergePatch' | 'delete' | 'evict';
  resource: ResourceName;
  namespace?: string;
  name?: string;
  subresource?: 'status';
  dryRun?: boolean;
  body?: unknown;
}

export class MemoryGateway implements KubeGateway {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: Call[] = [];
  private rv = 1;
  /** Called before every write; may throw to inject a fault. */
  beforeWrite?: (call: Call) => void;

  private key(resource: string, ns: string, name: string): string {
    return `${resource}/${ns}/${name}`;
  }

  put(resource: ResourceName, obj: KubeObject): KubeObject {
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(this.rv++);
    stored.metadata.uid ??= `uid-${stored.metadata.name}`;
    this.objects.set(this.key(resource, stored.metadata.namespace ?? '', stored.metadata.name), stored);
    return clone(stored);
  }

  read(resource: ResourceName, ns: string, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(resource, ns, name));
    return o && clone(o);
  }

  writes(): Call[] {
    return this.calls.filter((c) => c.verb !== 'get' && c.verb !== 'list');
  }

  async get(resource: ResourceName, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.calls.push({ verb: 'get', resource, namespace, name });
    return this.read(resource, namespace, name);
  }

  async list(
    resource: ResourceName,
    namespace: string | undefined,
  ): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    this.calls.push({ verb: 'list', resource, ...(namespace ? { namespace } : {}) });
    const items = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${resource}/${namespace ?? ''}`))
      .map(([, o]) => clone(o));
    return { items, resourceVersion: String(this.rv) };
  }

  async create(
    resource: ResourceName,
    namespace: string,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<KubeObject> {
    const call: Call = {
      verb: 'create',
      resource,
      namespace,
      name: body.metadata.name,
      dryRun: !!options?.dryRun,
      body,
    };
    this.calls.push(call);
    this.beforeWrite?.(call);
    if (this.objects.has(this.key(resource, namespace, body.metadata.name))) {
      throw new KubeApiError(
        { verb: 'create', resource, namespace, name: body.metadata.name },
        409,
        'AlreadyExists',
        'already exists',
      );
    }
    const obj = { ...clone(body), metadata: { ...clone(body.metadata), namespace } };
    return options?.dryRun ? obj : this.put(resource, obj);
  }

  private update(
    target: Target,
    verb: 'patch' | 'mergePatch',
    body: unknown,
    options: WriteOptions | undefined,
    apply: (o: KubeObject) => KubeObject,
  ): KubeObject {
    const call: Call = {
      verb,
      resource: target.resource,
      namespace: target.namespace,
      name: target.name,
      dryRun: !!options?.dryRun,
      body,
      ...(target.subresource ? { subresource: target.subresource } : {}),
    };
    this.calls.push(call);
    this.beforeWrite?.(call);
    const kcall = {
      verb: 'patch' as const,
      resource: target.resource,
      namespace: target.namespace,
      name: target.name,
    };
    const current = this.read(target.resource, target.namespace, target.name);
    if (!current) throw new KubeApiError(kcall, 404, 'NotFound', 'not found');
    let next: KubeObject;
    try {
      next = apply(current);
    } catch (err) {
      if (err instanceof PatchApplyError) throw new KubeApiError(kcall, 422, 'Invalid', err.message);
      throw err;
    }
    const merged =
      target.subresource === 'status'
        ? { ...current, status: next.status }
        : { ...next, status: current.status };
    if (merged.status === undefined) delete merged.status;
    return options?.dryRun ? merged : this.put(target.resource, merged);
  }

  async patch(target: Target, ops: JsonPatchOp[], options?: WriteOptions): Promise<KubeObject> {
    return this.update(target, 'patch', ops, options, (o) => applyJsonPatch(o, ops) as KubeObject);
  }

  async mergePatch(target: Target, body: unknown, options?: WriteOptions): Promise<KubeObject> {
    return this.update(target, 'mergePatch', body, options, (o) => {
      const rv = (body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      if (rv !== undefined && rv !== o.metadata.resourceVersion) {
        throw new KubeApiError(
          { verb: 'patch', resource: target.resource, namespace: target.namespace, name: target.name },
          409,
          'Conflict',
          'the object has been modified',
        );
      }
      return mergePatch(o, body) as KubeObject;
    });
  }

  async delete(target: Target, options?: DeleteOptions): Promise<void> {
    const { resource, namespace, name } = target;
    const call: Call = { verb: 'delete', resource, namespace, name, dryRun: !!options?.dryRun };
    this.calls.push(call);
    this.beforeWrite?.(call);
    const kcall = { verb: 'delete' as const, resource, namespace, name };
    const current = this.objects.get(this.key(resource, namespace, name));
    if (!current) throw new KubeApiError(kcall, 404, 'NotFound', 'not found');
    const pre = options?.preconditions;
    if (pre && (pre.uid !== current.metadata.uid || pre.resourceVersion !== current.metadata.resourceVersion))
      throw new KubeApiError(kcall, 409, 'Conflict', 'precondition failed');
    if (!options?.dryRun) this.objects.delete(this.key(resource, namespace, name));
  }

  /** Deletes the pod (no disruption budgets here); `beforeWrite` may refuse it, e.g. with a 429. */
  async evict(namespace: string, name: string, options?: WriteOptions): Promise<void> {
    const call: Call = { verb: 'evict', resource: 'pods', namespace, name, dryRun: !!options?.dryRun };
    this.calls.push(call);
    this.beforeWrite?.(call);
    if (!this.objects.has(this.key('pods', namespace, name)))
      throw new KubeApiError(
        { verb: 'create', resource: 'pods', namespace, name },
        404,
        'NotFound',
        'not found',
      );
    if (!options?.dryRun) this.objects.delete(this.key('pods', namespace, name));
  }

  watch(): never {
    throw new Error('watch is not supported by MemoryGateway');
  }
}
