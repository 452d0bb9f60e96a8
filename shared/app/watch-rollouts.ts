/**
 * Watches what moves a rollout, as Argo Rollouts' informers do: the Rollouts of this instance and the ReplicaSets
 * they own. Each change that makes work due becomes one step request per Rollout (coalesced, reported about 50 ms
 * after the first change):
 * - a Rollout whose spec changed (generation ahead of observedGeneration), that was never reconciled, or that
 *   carries an operator action no pass has acted on (`kubectl argo rollouts` abort, retry, promote, promote
 *   --full, pause, resume: see `changeDue`), pinned to the step it is at;
 * - a ReplicaSet owned by one of them that became fully available, or was deleted (unpinned: the Rollout's step
 *   may have moved since its status was seen).
 * Sluice's own status commits make nothing due here (their follow-up step already runs), so they cost nothing.
 *
 * The same resume-from-resourceVersion and relist-on-410 discipline as the drift watch (`watch-stream.ts`). On a
 * relist every Rollout with a change due is reported (a change made while nothing watched is not missed), while
 * ReplicaSets are only remembered: the schedule tick, still the safety net, finds what else is due.
 */
import { changeDue } from '../core/engine/due.js';
import { LABELS, type KubeObject, type Rollout } from '../core/model/types.js';
import { StopClock, watchStream, type ClusterWatchOptions } from './watch-stream.js';
import { scopeNamespaces } from './scope.js';

/** One coalesced request for a pass of one Rollout. */
export interface RolloutWake {
  namespace: string;
  name: string;
  /** Why, oldest first, without duplicates. */
  reasons: string[];
  /** The step the Rollout was seen at; absent when a ReplicaSet asked or merged requests disagree. */
  expectedStep?: number;
}

/** Counters one run adds to. */
export interface RolloutWatchCounters {
  changes: number;
  stepEvents: number;
  relists: number;
  errors: number;
}

/** What {@link watchRolloutWork} needs (`memory` also keeps ReplicaSet availability across runs). */
export interface RolloutWatchOptions extends ClusterWatchOptions {
  /** Receives the Rollouts with work due (one entry per Rollout per flush). A rejection is logged and counted. */
  onWake: (wakes: RolloutWake[]) => Promise<void>;
  counters: RolloutWatchCounters;
  /** How long changes are gathered after the first one before they are reported (default 50 ms). */
  flushMs?: number;
}

/** A ReplicaSet as far as availability goes. */
interface ReplicaSetView {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec?: { replicas?: number };
  status?: { availableReplicas?: number; observedGeneration?: number };
}

/** Every desired pod of the ReplicaSet's current generation is available. */
export function fullyAvailable(rs: KubeObject): boolean {
  const r = rs as unknown as ReplicaSetView;
  const desired = r.spec?.replicas ?? 1;
  const observed = r.status?.observedGeneration ?? 0;
  return (r.status?.availableReplicas ?? 0) >= desired && observed >= (r.metadata.generation ?? 0);
}

/**
 * Why a ReplicaSet event makes its Rollout's work due, or undefined: deleted, or fully available now and not at
 * the previous event seen (`wasAvailable` undefined when none was seen). Becoming unavailable (sluice scaled it up)
 * or staying available makes nothing due.
 */
export function replicaSetWake(
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  rs: KubeObject,
  wasAvailable: boolean | undefined,
): string | undefined {
  const id = `ReplicaSet ${rs.metadata.namespace}/${rs.metadata.name}`;
  if (type === 'DELETED') return `${id} deleted`;
  return fullyAvailable(rs) && wasAvailable !== true ? `${id} available` : undefined;
}

/** Why a Rollout event makes work due (see `changeDue`), or undefined; only this instance's Rollouts count. */
export function rolloutWake(rollout: Rollout, instanceId: string): string | undefined {
  if (rollout.metadata.labels?.[LABELS.instanceId] !== instanceId) return undefined;
  const why = changeDue(rollout);
  return why === undefined
    ? undefined
    : `Rollout ${rollout.metadata.namespace}/${rollout.metadata.name}: ${why}`;
}

function merge(into: RolloutWake, from: RolloutWake): void {
  for (const r of from.reasons) if (!into.reasons.includes(r)) into.reasons.push(r);
  if (into.expectedStep !== from.expectedStep) delete into.expectedStep;
}

class RolloutWorkWatch {
  /** This instance's Rollouts by uid (ReplicaSets name their owner by uid). */
  private readonly owners = new Map<string, { namespace: string; name: string }>();
  private readonly pending = new Map<string, RolloutWake>();
  private readonly clock: StopClock;
  private flushing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: RolloutWatchOptions) {
    this.clock = new StopClock(o.stopAt, o.signal);
  }

  /** Memory key of a kind's resourceVersion: `cluster/Kind`, or `cluster/Kind/ns` when namespace-scoped. */
  private key(kind: string, ns?: string): string {
    return `${this.o.cluster}/${kind}${ns === undefined ? '' : `/${ns}`}`;
  }

  async run(): Promise<void> {
    const namespaces = scopeNamespaces(this.o.namespaces);
    // The owners must be known before a ReplicaSet event can be placed: list the Rollouts first.
    for (const ns of namespaces) {
      const first = await this.listRollouts(ns);
      if (!this.o.memory.has(this.key('Rollout', ns))) this.o.memory.set(this.key('Rollout', ns), first);
    }
    await Promise.all(namespaces.flatMap((ns) => this.streams(ns)));
    clearTimeout(this.timer);
    await this.flushing;
    await this.flush();
  }

  /** The Rollout and ReplicaSet watches of one namespace (undefined: every namespace). */
  private streams(ns: string | undefined): Promise<void>[] {
    const fields = { cluster: this.o.cluster, ...(ns === undefined ? {} : { namespace: ns }) };
    const common = {
      gateway: this.o.gateway,
      memory: this.o.memory,
      clock: this.clock,
      log: this.o.log,
      counters: this.o.counters,
      ...(ns === undefined ? {} : { namespace: ns }),
    };
    return [
      watchStream({
        ...common,
        resource: 'rollouts',
        key: this.key('Rollout', ns),
        relist: () => this.listRollouts(ns),
        onChange: (e) => {
          this.o.counters.changes++;
          this.onRollout(e.type, e.object as Rollout);
        },
        fields: { ...fields, kind: 'Rollout' },
      }),
      watchStream({
        ...common,
        resource: 'replicasets',
        key: this.key('ReplicaSet', ns),
        relist: () => this.listReplicaSets(ns),
        onChange: (e) => {
          this.o.counters.changes++;
          this.onReplicaSet(e.type as 'ADDED' | 'MODIFIED' | 'DELETED', e.object);
        },
        fields: { ...fields, kind: 'ReplicaSet' },
      }),
    ];
  }

  /** Lists the Rollouts of `ns` (undefined: all); the owners known in that namespace are replaced. */
  private async listRollouts(ns: string | undefined): Promise<string> {
    const selector = `${LABELS.instanceId}=${this.o.instanceId}`;
    const list = await this.o.gateway.list('rollouts', ns, { labelSelector: selector });
    for (const [uid, owner] of this.owners)
      if (ns === undefined || owner.namespace === ns) this.owners.delete(uid);
    for (const item of list.items) this.onRollout('ADDED', item as Rollout);
    return list.resourceVersion;
  }

  private async listReplicaSets(ns: string | undefined): Promise<string> {
    const list = await this.o.gateway.list('replicasets', ns);
    for (const rs of list.items) this.remember(rs, fullyAvailable(rs));
    return list.resourceVersion;
  }

  private availabilityKey(rs: KubeObject): string {
    return `${this.o.cluster}/ReplicaSet-available/${rs.metadata.uid ?? ''}`;
  }

  private remember(rs: KubeObject, available: boolean | undefined): void {
    if (available === undefined) this.o.memory.delete(this.availabilityKey(rs));
    else this.o.memory.set(this.availabilityKey(rs), available ? '1' : '0');
  }

  private onRollout(type: string, rollout: Rollout): void {
    const { uid, namespace, name } = rollout.metadata;
    const ours = rollout.metadata.labels?.[LABELS.instanceId] === this.o.instanceId;
    if (uid && ours && type !== 'DELETED') this.owners.set(uid, { namespace, name });
    else if (uid) this.owners.delete(uid);
    const why = type === 'DELETED' ? undefined : rolloutWake(rollout, this.o.instanceId);
    if (!why) return;
    const step = rollout.status?.currentStepIndex;
    this.note({ namespace, name, reasons: [why], ...(step === undefined ? {} : { expectedStep: step }) });
  }

  private onReplicaSet(type: 'ADDED' | 'MODIFIED' | 'DELETED', rs: KubeObject): void {
    const seen = this.o.memory.get(this.availabilityKey(rs));
    const why = replicaSetWake(type, rs, seen === undefined ? undefined : seen === '1');
    this.remember(rs, type === 'DELETED' ? undefined : fullyAvailable(rs));
    if (!why) return;
    const refs = (rs.metadata as { ownerReferences?: { kind: string; uid: string }[] }).ownerReferences ?? [];
    const owner = refs.filter((r) => r.kind === 'Rollout').map((r) => this.owners.get(r.uid))[0];
    if (owner) this.note({ ...owner, reasons: [why] });
  }

  private note(wake: RolloutWake): void {
    const key = `${wake.namespace}/${wake.name}`;
    const waiting = this.pending.get(key);
    if (waiting) merge(waiting, wake);
    else this.pending.set(key, wake);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.o.flushMs ?? 50);
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const wakes = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.o.onWake(wakes);
      this.o.counters.stepEvents += wakes.length;
      for (const w of wakes) this.o.log.info('rollout woken', { cluster: this.o.cluster, ...w });
    } catch (err) {
      this.o.counters.errors++;
      this.o.log.warn('could not request passes; the schedule will find them due', { error: err });
    }
  }
}

/**
 * Watches one cluster's Rollouts of `instanceId` and the ReplicaSets they own until `stopAt` or `signal`, calling
 * `onWake` with the Rollouts a change made work due for. Rejects only when the first list of Rollouts fails.
 *
 * @example
 * await watchRolloutWork({ cluster: 'prod', gateway, instanceId: 'sluice', memory, signal,
 *   onWake: async (w) => bus.send(w.map(toStepEvent)), log, counters });
 */
export async function watchRolloutWork(options: RolloutWatchOptions): Promise<void> {
  await new RolloutWorkWatch(options).run();
}
