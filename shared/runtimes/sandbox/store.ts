/**
 * The sandbox's in-memory object store, with kube-apiserver's write semantics: monotonic resourceVersions shared
 * by all types, uid/creationTimestamp/generation kept by the server, optimistic concurrency, the status
 * subresource split, no-op writes that change nothing, dry runs, and a bounded event history for watches.
 */
import { randomUUID } from 'node:crypto';
import { applyDefaults } from './crd-defaults.js';
import { jsonEqual } from '../../core/model/json.js';
import { clone } from './json-patch.js';
import { trackManagedFields } from './managed-fields.js';
import { errors, type ServedResource } from './resources.js';

/** A stored object (JSON). */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One change, as a watch sends it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ServedResource;
  namespace: string;
  resourceVersion: number;
  object: StoredObject;
}

/** Options for writes. */
export interface WriteOptions {
  dryRun?: boolean;
  subresource?: 'status';
  /** Who writes (the `fieldManager` query parameter); recorded in `metadata.managedFields`. */
  fieldManager?: string;
}

/** How many past events are kept for watches from an older resourceVersion. */
const DEFAULT_HISTORY = 5000;

function keyOf(res: ServedResource, namespace: string, name: string): string {
  return `${res.plural}.${res.group}/${namespace}/${name}`;
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Everything but metadata and status: what bumps `generation` when it changes. */
/** The part of an object whose change bumps `metadata.generation`: all but metadata (and status, when a subresource). */
function specPart(obj: StoredObject, res: ServedResource): Record<string, unknown> {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return res.statusSubresource ? rest : { ...rest, status };
}

/** What kube-apiserver stores for `obj`: CRD schema defaults set, `omitempty` zero integers of built-ins gone. */
function asServerStores(res: ServedResource, obj: StoredObject): StoredObject {
  applyDefaults(obj, res.defaults ?? []);
  const status = obj.status as Record<string, unknown> | undefined;
  if (status) for (const field of res.omitZeroStatus ?? []) if (status[field] === 0) delete status[field];
  return obj;
}

/** The in-memory store. */
export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private revision = 1;
  /** Events at or below this revision were dropped from the history. */
  private compactedRevision = 0;

  constructor(private readonly historyLimit = DEFAULT_HISTORY) {}

  /** The newest resourceVersion handed out. */
  get currentRevision(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestWatchable(): number {
    return this.compactedRevision;
  }

  /** One object, or undefined. */
  get(res: ServedResource, namespace: string, name: string): StoredObject | undefined {
    const found = this.objects.get(keyOf(res, namespace, name));
    return found ? clone(found) : undefined;
  }

  /** All objects of a type, in one namespace or all; sorted by namespace then name. */
  list(res: ServedResource, namespace: string | undefined): StoredObject[] {
    const prefix = `${res.plural}.${res.group}/${namespace === undefined ? '' : `${namespace}/`}`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, obj]) => clone(obj));
  }

  /** POST: assigns uid, creationTimestamp, generation and resourceVersion. */
  create(res: ServedResource, namespace: string, body: StoredObject, opts: WriteOptions = {}): StoredObject {
    const name = body.metadata?.name;
    if (!name)
      throw errors.invalid(res, '', 'metadata.name', 'Required value: name or generateName is required');
    if (body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (body.metadata.resourceVersion) {
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    }
    if (this.objects.has(keyOf(res, namespace, name))) throw errors.alreadyExists(res, name);
    const obj = clone(body);
    if (res.clusterScoped) delete obj.metadata.namespace;
    else obj.metadata.namespace = namespace;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = nowSeconds();
    if (res.generation) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    if (res.custom && res.statusSubresource) delete obj.status;
    else if (res.initialStatus) obj.status = clone(res.initialStatus);
    return this.commit(res, namespace, asServerStores(res, obj), undefined, opts);
  }

  /**
   * PUT (and the last step of PATCH): the body's resourceVersion must equal the stored one (409 otherwise);
   * custom resources refuse an update without one (422). `preconditionChecked` skips that check (PATCH).
   */
  update(
    res: ServedResource,
    namespace: string,
    body: StoredObject,
    opts: WriteOptions & { preconditionChecked?: boolean } = {},
  ): StoredObject {
    const name = body.metadata?.name ?? '';
    const old = this.objects.get(keyOf(res, namespace, name));
    if (!old) throw errors.notFound(res, name);
    const sentVersion = body.metadata.resourceVersion;
    if (!opts.preconditionChecked) {
      if (!sentVersion && res.custom) {
        throw errors.invalid(
          res,
          name,
          'metadata.resourceVersion',
          'Invalid value: 0: must be specified for an update',
        );
      }
      if (sentVersion && sentVersion !== old.metadata.resourceVersion) throw errors.conflict(res, name);
    }
    const next = asServerStores(res, this.merged(res, old, body, opts.subresource));
    if (jsonEqual(next, old)) return clone(old);
    return this.commit(res, namespace, next, old, opts);
  }

  /** DELETE: removes the object; the watch event carries a new resourceVersion. */
  delete(res: ServedResource, namespace: string, name: string, opts: WriteOptions = {}): StoredObject {
    const old = this.objects.get(keyOf(res, namespace, name));
    if (!old) throw errors.notFound(res, name);
    if (opts.dryRun) return clone(old);
    this.objects.delete(keyOf(res, namespace, name));
    this.revision += 1;
    const gone = clone(old);
    gone.metadata.resourceVersion = String(this.revision);
    this.record({ type: 'DELETED', resource: res, namespace, resourceVersion: this.revision, object: gone });
    return clone(gone);
  }

  /** Events after `fromRevision`, oldest first; throws 410 Expired when some were already dropped. */
  eventsSince(fromRevision: number, requested: string): StoreEvent[] {
    if (fromRevision < this.compactedRevision) throw errors.expired(requested, this.compactedRevision + 1);
    return this.history
      .filter((e) => e.resourceVersion > fromRevision)
      .map((e) => ({ ...e, object: clone(e.object) }));
  }

  /** Drops every recorded event (as etcd compaction does): watches from older versions get 410. */
  compact(): void {
    this.compactedRevision = this.revision;
    this.history.length = 0;
  }

  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Builds the object an update would store: server fields kept, status/spec split by subresource. */
  private merged(res: ServedResource, old: StoredObject, body: StoredObject, sub?: 'status'): StoredObject {
    if (sub === 'status') {
      const next = clone(old);
      if (body.status === undefined) delete next.status;
      else next.status = clone(body.status);
      return next;
    }
    const next = clone(body);
    const keep = [
      'uid',
      'creationTimestamp',
      'generation',
      'resourceVersion',
      'namespace',
      'name',
      'managedFields',
    ] as const;
    const meta = next.metadata as Record<string, unknown>;
    for (const field of keep) {
      if (old.metadata[field] === undefined) delete meta[field];
      else meta[field] = old.metadata[field];
    }
    next.apiVersion = old.apiVersion;
    next.kind = old.kind;
    if (res.statusSubresource) {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    }
    if (res.generation && !jsonEqual(specPart(next, res), specPart(old, res))) {
      next.metadata.generation = Number(old.metadata.generation ?? 0) + 1;
    }
    return next;
  }

  /** Stores a create (`old` undefined) or an update; main-resource writes update `managedFields`. */
  private commit(
    res: ServedResource,
    namespace: string,
    obj: StoredObject,
    old: StoredObject | undefined,
    opts: WriteOptions,
  ): StoredObject {
    if (opts.subresource !== 'status') {
      const managed = trackManagedFields(old, obj, opts.fieldManager ?? 'unknown', nowSeconds());
      if (managed.length > 0) obj.metadata.managedFields = managed;
      else delete obj.metadata.managedFields;
    }
    if (opts.dryRun) {
      return clone(obj);
    }
    const type = old === undefined ? 'ADDED' : 'MODIFIED';
    this.revision += 1;
    obj.metadata.resourceVersion = String(this.revision);
    this.objects.set(keyOf(res, namespace, obj.metadata.name), clone(obj));
    this.record({ type, resource: res, namespace, resourceVersion: this.revision, object: clone(obj) });
    return clone(obj);
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.compactedRevision = dropped.resourceVersion;
    }
    for (const listener of [...this.listeners]) listener(event);
  }
}
