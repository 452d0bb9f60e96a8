/**
 * A {@link KubeGateway} wrapper for fault tests: records every call (reads and writes, with outcome) and can crash
 * the invocation at the k-th write, either before the request is sent ("crash-before": the write never lands) or
 * after the API server accepted it ("crash-after": the write landed, the invocation died before seeing the answer).
 * That is the crash hook of docs/reliability.md ("How it is checked").
 */
import type { KubeGateway } from '../../../shared/app/kube-port/gateway.js';
import { decorateGateway, type GatewayRequest } from '../../../shared/app/kube-port/decorate.js';
import type { ResourceName } from '../../../shared/core/engine/types.js';
import { KubeApiError } from '../../../shared/app/kube-port/errors.js';

/** One recorded call. */
export interface CallRecord {
  verb: 'get' | 'list' | 'create' | 'patch' | 'mergePatch' | 'delete' | 'evict' | 'watch';
  resource: ResourceName;
  name?: string;
  subresource?: string;
  ok: boolean;
  error?: string;
  /** The write was sent with `dryRun=All`. */
  dryRun?: boolean;
  /** Size of the write's body as JSON (patch ops, merge patch or created object), in bytes. */
  bytes?: number;
  /** The error's HTTP status (0 for a network error), when the call failed with a KubeApiError. */
  code?: number;
}

/** Where a crash is injected. */
export interface CrashPoint {
  /**
   * 1-based index of the write at which the invocation dies: with `before`, the k-th write attempt, before it is
   * sent; with `after`, right after the k-th write the API server accepted.
   */
  atWrite: number;
  mode: 'before' | 'after';
}

/** The error thrown at a crash point (never a KubeApiError, so nothing retries it: the invocation is over). */
export class InjectedCrash extends Error {
  override readonly name = 'InjectedCrash';
}

/** A recording gateway and its log. */
export interface Recording {
  gw: KubeGateway;
  calls: CallRecord[];
  /** Writes attempted (sent, or crashed before sending). */
  writes(): number;
  /** Writes the API server accepted. */
  acceptedWrites(): CallRecord[];
  /** True once the crash point fired; every later call fails too (the process is gone). */
  crashed(): boolean;
}

/**
 * Wraps `inner`; `crash` makes the invocation die at one write. With `revive`, calls made after the crash pass
 * through again (they belong to the next invocation, as when the scheduler fires again).
 */
export function recordingGateway(inner: KubeGateway, crash?: CrashPoint, revive = false): Recording {
  const calls: CallRecord[] = [];
  let writes = 0;
  let accepted = 0;
  let dead = false;
  const die = (what: string): never => {
    dead = true;
    throw new InjectedCrash(`injected crash ${crash?.mode} write ${crash?.atWrite} (${what})`);
  };
  /** Whether the injected crash is at write number `n` (0: not a write) at this moment. */
  const crashesAt = (mode: CrashPoint['mode'], n: number): boolean =>
    n > 0 && crash !== undefined && crash.mode === mode && n === crash.atWrite;
  const failed = (rec: Omit<CallRecord, 'ok'>, err: unknown): CallRecord => ({
    ...rec,
    ok: false,
    error: err instanceof Error ? err.message : String(err),
    ...(err instanceof KubeApiError ? { code: err.code } : {}),
  });
  async function track<T>(rec: Omit<CallRecord, 'ok'>, fn: () => Promise<T>, write: boolean): Promise<T> {
    if (dead && !revive) throw new InjectedCrash('invocation already crashed');
    const n = write && !dead ? ++writes : 0;
    if (crashesAt('before', n)) die(`${rec.verb} ${rec.resource} ${rec.name}`);
    try {
      const out = await fn();
      calls.push({ ...rec, ok: true });
      // 'after k' is the k-th write the API server accepted: a refused attempt (a conflict the pass re-plans) has
      // not landed, so it neither fires nor uses up the crash point.
      const landed = write && !dead ? ++accepted : 0;
      if (crashesAt('after', landed)) die(`${rec.verb} ${rec.resource} ${rec.name}`);
      return out;
    } catch (err) {
      if (err instanceof InjectedCrash) throw err;
      calls.push(failed(rec, err));
      throw err;
    }
  }
  const gw = decorateGateway(inner, {
    around: (request, send) => track(describeCall(request), () => send(inner), request.write),
    overrides: {
      watch: (resource, ns, rv, onEvent) => {
        calls.push({ verb: 'watch', resource, ok: true });
        return inner.watch(resource, ns, rv, onEvent);
      },
    },
  });
  const isWrite = (c: CallRecord): boolean =>
    c.verb === 'create' ||
    c.verb === 'patch' ||
    c.verb === 'mergePatch' ||
    c.verb === 'delete' ||
    c.verb === 'evict';
  return {
    gw,
    calls,
    writes: () => writes,
    acceptedWrites: () => calls.filter((c) => isWrite(c) && c.ok),
    crashed: () => dead,
  };
}

/** The record of one request: a list names no object; a write adds its size and dry-run flag. */
function describeCall(request: GatewayRequest): Omit<CallRecord, 'ok'> {
  const { method: verb, resource, name, subresource } = request;
  if (request.method === 'list') return { verb, resource };
  if (!request.write) return { verb, resource, ...(name === undefined ? {} : { name }) };
  return {
    verb,
    resource,
    ...(name === undefined ? {} : { name }),
    bytes: Buffer.byteLength(JSON.stringify('body' in request ? request.body : request.options) ?? ''),
    ...(request.options?.dryRun ? { dryRun: true } : {}),
    ...(subresource ? { subresource } : {}),
  };
}
