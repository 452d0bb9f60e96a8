/**
 * `metadata.managedFields` as the API server keeps them for Update operations, simplified for the sandbox: the
 * manager of a write owns every field whose value it changed (lists are atomic, maps are per key), and loses
 * nothing it did not change; another manager's ownership of a changed field moves to the writer. Status
 * subresource writes are not tracked (nothing reads them). Enough for sluice to tell a foreign change from its
 * own work as it does on a real cluster. Pure.
 */
import { jsonEqual } from '../../core/model/json.js';

/** The parts of a stored object this module reads. */
interface KubeObject {
  apiVersion?: string;
  metadata: { [key: string]: unknown };
  [key: string]: unknown;
}

/** A `fieldsV1` tree. */
interface FieldsV1 {
  [key: string]: FieldsV1;
}

interface Entry {
  manager: string;
  operation: 'Update';
  apiVersion?: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0;

/** Leaf paths (joined by NUL) of the fields an object sets, without server metadata and status. */
function leaves(value: unknown, prefix: string[], out: Map<string, unknown>): void {
  if (!isMap(value)) {
    out.set(prefix.join('\0'), value);
    return;
  }
  for (const [k, v] of Object.entries(value)) leaves(v, [...prefix, k], out);
}

function fieldsOf(obj: KubeObject | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!obj) return out;
  const { metadata, status: _status, apiVersion: _a, kind: _k, ...rest } = obj;
  leaves(rest, [], out);
  if (isMap(metadata.labels)) leaves(metadata.labels, ['metadata', 'labels'], out);
  if (isMap(metadata.annotations)) leaves(metadata.annotations, ['metadata', 'annotations'], out);
  return out;
}

function toTree(paths: Iterable<string>): FieldsV1 {
  const root: FieldsV1 = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('\0')) node = node[`f:${segment}`] ??= {};
  }
  return root;
}

function fromTree(tree: FieldsV1, prefix: string[] = [], out = new Set<string>()): Set<string> {
  const keys = Object.keys(tree).filter((k) => k.startsWith('f:'));
  if (keys.length === 0 && prefix.length > 0) out.add(prefix.join('\0'));
  for (const k of keys) fromTree(tree[k] as FieldsV1, [...prefix, k.slice(2)], out);
  return out;
}

/** The fields whose value the write set or changed, and the fields it removed. */
function diff(
  old: KubeObject | undefined,
  next: KubeObject,
): { changed: Set<string>; after: Map<string, unknown> } {
  const before = fieldsOf(old);
  const after = fieldsOf(next);
  const changed = new Set<string>();
  for (const [path, value] of after) {
    if (!before.has(path) || !jsonEqual(before.get(path), value)) changed.add(path);
  }
  return { changed, after };
}

/** Another manager's entry after the write: it loses the changed fields and the ones that no longer exist. */
function others(e: Entry, changed: Set<string>, after: Map<string, unknown>): Entry | undefined {
  const owned = [...fromTree(e.fieldsV1 ?? {})].filter((p) => !changed.has(p) && after.has(p));
  return owned.length > 0 ? { ...e, fieldsV1: toTree(owned) } : undefined;
}

/**
 * The managed fields after `manager` wrote `next` over `old` (undefined: a create) at `time`.
 *
 * @example
 * trackManagedFields(undefined, service, 'kubectl', '2026-01-01T00:00:00Z') // one entry owning every field
 */
export function trackManagedFields(
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  time: string,
): Entry[] {
  const { changed, after } = diff(old, next);
  const previous = (Array.isArray(old?.metadata.managedFields) ? old.metadata.managedFields : []) as Entry[];
  const entries = previous
    .filter((e) => e.manager !== manager)
    .map((e) => others(e, changed, after))
    .filter((e): e is Entry => e !== undefined);
  const was = previous.find((e) => e.manager === manager);
  const kept = was ? [...fromTree(was.fieldsV1 ?? {})] : [];
  const own = new Set([...kept, ...changed].filter((p) => after.has(p)));
  if (own.size === 0) return entries;
  entries.push({
    manager,
    operation: 'Update',
    ...(next.apiVersion ? { apiVersion: next.apiVersion } : {}),
    time: was && changed.size === 0 ? was.time : time,
    fieldsType: 'FieldsV1',
    fieldsV1: toTree(own),
  });
  return entries;
}
