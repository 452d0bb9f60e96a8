/**
 * The invariant ledger (docs/reliability.md, "How it is checked"). A test watch (as admin, independent of the code under test)
 * records every version of the Rollouts, ReplicaSets, Services, VirtualServices and DestinationRules in one
 * namespace; the versions are replayed in resourceVersion order (one etcd, so the order is global) and checked:
 *
 * - the step index only moves forward within one epoch, by one at a time (or straight to the end on promote-full),
 *   so each index is entered at most once; a new pod-template hash, an abort the engine committed (`abortedAt`
 *   set; it must send the index to 0, as Argo does) and a retry each start a new epoch;
 * - a canary weight in a VirtualService is within 0..100, its route sums to 100, and a write that raises it never
 *   goes above the last setWeight at or before the committed step, nor above 0 while the canary ReplicaSet has no
 *   available pod;
 * - fields of VirtualServices, DestinationRules and Services that sluice does not own never change;
 * - nothing is written after a rejection ({@link Ledger.rejection}, checked against a recording gateway).
 */
import https from 'node:https';
import { appendFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { adminConnectionInfo, adminRequest } from './cluster.js';
import type { CallRecord } from './faults/recording-gateway.js';

type Obj = {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
export type Kind = 'rollouts' | 'replicasets' | 'services' | 'virtualservices' | 'destinationrules';
interface Version {
  kind: Kind;
  type: string;
  rv: number;
  obj: Obj;
}

const PATHS: Record<Kind, string> = {
  rollouts: '/apis/argoproj.io/v1alpha1/namespaces/{ns}/rollouts',
  replicasets: '/apis/apps/v1/namespaces/{ns}/replicasets',
  services: '/api/v1/namespaces/{ns}/services',
  virtualservices: '/apis/networking.istio.io/v1/namespaces/{ns}/virtualservices',
  destinationrules: '/apis/networking.istio.io/v1/namespaces/{ns}/destinationrules',
};
const HASH = 'rollouts-pod-template-hash';
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

/** Where a Rollout's step index is, per epoch (a revision, an abort, or a retry). */
interface StepTrack {
  epoch: number;
  hash?: string;
  abort?: boolean;
  abortedAt?: string;
  index?: number;
}

/** Counts kept by a ledger, for the run's figures. */
export interface LedgerFigures {
  versions: number;
  statusCommits: number;
  weightWrites: number;
  lostSteps: number;
  duplicatedSteps: number;
  violations: string[];
}

/** A running ledger for one namespace. */
export class Ledger {
  private versions: Version[] = [];
  private reqs: ClientRequest[] = [];
  private stopped = false;
  private rejections: { label: string; calls: () => CallRecord[]; at: number }[] = [];
  private foreign = new Map<string, number>();

  private constructor(readonly ns: string) {}

  /** Lists the namespace's objects, then watches them until {@link stop}. */
  static async start(ns: string): Promise<Ledger> {
    const l = new Ledger(ns);
    for (const kind of Object.keys(PATHS) as Kind[]) {
      const path = PATHS[kind].replace('{ns}', ns);
      let list = await adminRequest('GET', path);
      for (let i = 0; list.status === 429 && i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        list = await adminRequest('GET', path);
      }
      if (list.status !== 200) throw new Error(`ledger: list ${kind} in ${ns}: HTTP ${list.status}`);
      for (const obj of list.body.items as Obj[])
        l.versions.push({ kind, type: 'ADDED', rv: Number(obj.metadata.resourceVersion), obj });
      l.watch(kind, path, String(list.body.metadata.resourceVersion));
    }
    return l;
  }

  private watch(kind: Kind, path: string, rv: string): void {
    const conn = adminConnectionInfo();
    const url = new URL(`${path}?watch=1&resourceVersion=${rv}`, conn.server);
    const req = https.get(url, { ca: conn.ca, cert: conn.cert, key: conn.key }, (res) => {
      let buf = '';
      let last = rv;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: Obj };
          if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
          last = ev.object.metadata.resourceVersion;
          this.versions.push({ kind, type: ev.type, rv: Number(last), obj: ev.object });
        }
      });
      res.on('end', () => {
        if (!this.stopped) this.watch(kind, path, last);
      });
    });
    req.on('error', () => undefined);
    this.reqs.push(req);
  }

  /** Waits until the watch has been quiet for 250 ms (at most 3 s): every earlier write has arrived by then. */
  async settle(): Promise<void> {
    const deadline = Date.now() + 3000;
    let seen = this.versions.length;
    let quietSince = Date.now();
    while (Date.now() < deadline && Date.now() - quietSince < 250) {
      await new Promise((r) => setTimeout(r, 50));
      if (this.versions.length !== seen) {
        seen = this.versions.length;
        quietSince = Date.now();
      }
    }
  }

  /** Marks a rejection: from now on the recording gateway's `calls` must show no accepted write. */
  rejection(label: string, calls: () => CallRecord[]): void {
    this.rejections.push({ label, calls, at: calls().length });
  }

  /**
   * Declares that a foreign writer (not sluice) changes fields sluice does not own of `kind/name`, `times` times:
   * each declared change becomes the new baseline, so any later change of those fields (e.g. sluice dropping the
   * foreign route on its next write) is still a violation.
   */
  allowForeignChange(kind: Kind, name: string, times = 1): void {
    const key = `${kind}/${name}`;
    this.foreign.set(key, (this.foreign.get(key) ?? 0) + times);
  }

  /** Object versions recorded so far (list + watch). */
  count(): number {
    return this.versions.length;
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.reqs) r.destroy();
  }

  /** Replays every recorded version and returns the figures (violations listed as sentences). */
  check(): LedgerFigures {
    const ordered = [...this.versions].sort((a, b) => a.rv - b.rv);
    const f: LedgerFigures = {
      versions: ordered.length,
      statusCommits: 0,
      weightWrites: 0,
      lostSteps: 0,
      duplicatedSteps: 0,
      violations: [],
    };
    const latest = new Map<string, Obj>();
    const baseline = new Map<string, string>();
    const foreign = new Map(this.foreign);
    const steps = new Map<string, StepTrack>();
    for (const v of ordered) {
      const key = `${v.kind}/${v.obj.metadata.name}`;
      const prev = latest.get(key);
      if (v.type !== 'DELETED') latest.set(key, v.obj);
      if (v.kind === 'rollouts') this.checkRollout(v, prev, steps, f);
      if (v.kind === 'virtualservices') this.checkVirtualService(v, prev, latest, f);
      if (v.kind === 'services' || v.kind === 'virtualservices' || v.kind === 'destinationrules')
        checkUnowned(v, key, { baseline, foreign }, f);
    }
    if (f.violations.length > 0 && process.env.SLUICE_LEDGER_DUMP)
      this.dump(process.env.SLUICE_LEDGER_DUMP, ordered, f.violations);
    this.checkRejections(f);
    // Name the namespace: a run's figures list the violations of all its scenarios together.
    f.violations = f.violations.map((v) => `${this.ns}: ${v}`);
    return f;
  }

  /** Every write a use case made after it rejected a request is a violation. */
  private checkRejections(f: LedgerFigures): void {
    for (const r of this.rejections) {
      const after = r
        .calls()
        .slice(r.at)
        .filter((c) => c.ok && ['create', 'patch', 'mergePatch', 'delete'].includes(c.verb));
      if (after.length > 0)
        f.violations.push(
          `${after.length} write(s) after rejection "${r.label}": ${after.map((c) => `${c.verb} ${c.resource}/${c.name}`).join(', ')}`,
        );
    }
  }

  /**
   * Appends the violations and the namespace's Rollout history (one line a version: step, hashes, abort, pauses,
   * who wrote it) to `file`: set `SLUICE_LEDGER_DUMP=<file>` to see how a violation came about.
   */
  private dump(file: string, ordered: Version[], violations: string[]): void {
    const lines = ordered
      .filter((v) => v.kind === 'rollouts')
      .map((v) => {
        const s = (v.obj.status ?? {}) as Record<string, unknown>;
        const meta = v.obj.metadata as {
          generation?: number;
          managedFields?: { manager: string; operation: string; subresource?: string; time?: string }[];
        };
        const writers = (meta.managedFields ?? [])
          .map((m) => `${m.manager}/${m.operation}/${m.subresource ?? ''}@${m.time ?? ''}`)
          .join(',');
        const field = (k: string): string => JSON.stringify(s[k]) ?? '-';
        return (
          `rv=${v.rv} ${v.type} gen=${String(meta.generation)} step=${field('currentStepIndex')} ` +
          `hash=${field('currentPodHash')} stepHash=${field('currentStepHash')} stable=${field('stableRS')} ` +
          `abort=${field('abort')} abortedAt=${field('abortedAt')} pauses=${field('pauseConditions')} ` +
          `phase=${field('phase')} writers=${writers}`
        );
      });
    appendFileSync(file, `=== ${this.ns}\n${violations.join('\n')}\n${lines.join('\n')}\n`);
  }

  private checkRollout(
    v: Version,
    prev: Obj | undefined,
    steps: Map<string, StepTrack>,
    f: LedgerFigures,
  ): void {
    const s = (v.obj.status ?? {}) as RolloutStatusSeen;
    if (prev && JSON.stringify(prev.status ?? {}) !== JSON.stringify(v.obj.status ?? {})) f.statusCommits++;
    const name = v.obj.metadata.name;
    const t = steps.get(name) ?? { epoch: 0 };
    const total = stepCount(v.obj);
    // An abort committed by the engine (abortedAt newly set) sends the index back to 0, as Argo does: that starts
    // an epoch too. The operator's `abort: true` alone (abortedAt not yet set) moves nothing.
    const { aborted, newEpoch } = epochOf(t, s);
    if (newEpoch) {
      if (aborted && t.hash === s.currentPodHash) checkAbortIndex(`rollout ${name} rv ${v.rv}`, s, total, f);
      steps.set(name, newEpochTrack(t, s));
      return;
    }
    const before = t.index;
    const now = s.currentStepIndex;
    steps.set(name, advance(t, s));
    if (before !== undefined && now !== undefined && now !== before)
      checkStepMove(
        `rollout ${name} rv ${v.rv}`,
        { before, now, total, promoteFull: s.promoteFull === true },
        f,
      );
  }

  private checkVirtualService(
    v: Version,
    prev: Obj | undefined,
    latest: Map<string, Obj>,
    f: LedgerFigures,
  ): void {
    const rollout = [...latest.entries()].find(([k]) => k.startsWith('rollouts/'))?.[1];
    if (!rollout) return;
    const canary = (rollout.spec?.strategy as { canary?: CanarySpec } | undefined)?.canary ?? {};
    const w = canaryWeight(v.obj, canary);
    const w0 = prev ? canaryWeight(prev, canary) : undefined;
    if (w === undefined) return;
    const where = `virtualservice ${v.obj.metadata.name} rv ${v.rv}`;
    if (w.weight < 0 || w.weight > 100)
      f.violations.push(`${where}: canary weight ${w.weight} outside 0..100`);
    if (w.total !== 100) f.violations.push(`${where}: route weights sum to ${w.total}, not 100`);
    if (w0 === undefined || w0.weight === w.weight) return;
    f.weightWrites++;
    if (w.weight > w0.weight) checkRaise(where, w.weight, { rollout, canary, latest }, f);
  }
}

interface RolloutStatusSeen {
  currentStepIndex?: number;
  currentPodHash?: string;
  abort?: boolean;
  abortedAt?: string;
  promoteFull?: boolean;
}

function stepCount(rollout: Obj): number {
  return ((rollout.spec?.strategy as { canary?: { steps?: unknown[] } } | undefined)?.canary?.steps ?? [])
    .length;
}

/** A committed abort sends the step index back to 0 (when there are steps). */
function checkAbortIndex(where: string, s: RolloutStatusSeen, total: number, f: LedgerFigures): void {
  if (total > 0 && s.currentStepIndex !== 0)
    f.violations.push(`${where}: the abort left the step index at ${String(s.currentStepIndex)}, not 0`);
}

/** Whether this version starts a new epoch, and whether because the engine committed an abort. */
function epochOf(t: StepTrack, s: RolloutStatusSeen): { aborted: boolean; newEpoch: boolean } {
  const aborted = s.abort === true && s.abortedAt !== undefined && s.abortedAt !== t.abortedAt;
  return {
    aborted,
    newEpoch: t.hash !== s.currentPodHash || (t.abort === true && s.abort !== true) || aborted,
  };
}

/** The track within an epoch, moved to this version. */
function advance(t: StepTrack, s: RolloutStatusSeen): StepTrack {
  t.abort = s.abort === true;
  if (s.abortedAt === undefined) delete t.abortedAt;
  else t.abortedAt = s.abortedAt;
  if (s.currentStepIndex !== undefined) t.index = s.currentStepIndex;
  return t;
}

/** The step track that starts an epoch (new pod hash, retry, or a committed abort). */
function newEpochTrack(t: StepTrack, s: RolloutStatusSeen): StepTrack {
  return {
    epoch: t.epoch + 1,
    ...(s.currentPodHash ? { hash: s.currentPodHash } : {}),
    abort: s.abort === true,
    ...(s.abortedAt !== undefined ? { abortedAt: s.abortedAt } : {}),
    ...(s.currentStepIndex !== undefined ? { index: s.currentStepIndex } : {}),
  };
}

/** Within one epoch the step index moves forward one at a time (promoteFull may jump to the end). */
function checkStepMove(
  where: string,
  m: { before: number; now: number; total: number; promoteFull: boolean },
  f: LedgerFigures,
): void {
  if (m.now < m.before) {
    f.duplicatedSteps++;
    f.violations.push(`${where}: step index moved back from ${m.before} to ${m.now} in one revision`);
  } else if (m.now > m.before + 1 && !(m.promoteFull && m.now === m.total)) {
    f.lostSteps += m.now - m.before - 1;
    f.violations.push(`${where}: step index jumped from ${m.before} to ${m.now} (a step was skipped)`);
  }
}

/** A raised canary weight must be allowed by the committed step and go to a canary with an available pod. */
function checkRaise(
  where: string,
  weight: number,
  seen: { rollout: Obj; canary: CanarySpec; latest: Map<string, Obj> },
  f: LedgerFigures,
): void {
  const { rollout, canary, latest } = seen;
  const s = (rollout.status ?? {}) as { currentStepIndex?: number; currentPodHash?: string };
  const list = canary.steps ?? [];
  const idx = s.currentStepIndex ?? list.length;
  const allowed =
    idx >= list.length ? 100 : Math.max(0, ...list.slice(0, idx + 1).map((x) => x.setWeight ?? 0));
  if (weight > allowed)
    f.violations.push(
      `${where}: canary weight raised to ${weight} while the committed step ${idx} allows ${allowed}`,
    );
  const canaryHash = canaryHashOf(latest, canary) ?? s.currentPodHash;
  const rs = [...latest.entries()].find(
    ([k, o]) => k.startsWith('replicasets/') && o.metadata.labels?.[HASH] === canaryHash,
  )?.[1];
  const available = (rs?.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
  if (available <= 0)
    f.violations.push(
      `${where}: canary weight raised to ${weight} while canary ReplicaSet ${canaryHash} has no available pod`,
    );
}

/**
 * A change to a field sluice does not own is a violation, except the foreign changes a scenario announced (each
 * announced change moves the baseline once).
 */
function checkUnowned(
  v: Version,
  key: string,
  seen: { baseline: Map<string, string>; foreign: Map<string, number> },
  f: LedgerFigures,
): void {
  const masked = JSON.stringify(unowned(v.kind, v.obj));
  const base = seen.baseline.get(key);
  const allowed = seen.foreign.get(key) ?? 0;
  if (base === undefined || base === masked) {
    seen.baseline.set(key, masked);
    return;
  }
  if (allowed > 0) {
    seen.foreign.set(key, allowed - 1);
    seen.baseline.set(key, masked);
    return;
  }
  f.violations.push(`${key} rv ${v.rv}: a field sluice does not own changed: ${diffHint(base, masked)}`);
}

interface CanarySpec {
  canaryService?: string;
  stableService?: string;
  steps?: { setWeight?: number }[];
  trafficRouting?: { istio?: { destinationRule?: { name?: string; canarySubsetName?: string } } };
}

type Route = { destination?: { host?: string; subset?: string }; weight?: number };

/** Canary weight and the route total of the first route section that has the canary destination. */
function canaryWeight(vs: Obj, canary: CanarySpec): { weight: number; total: number } | undefined {
  const subset = canary.trafficRouting?.istio?.destinationRule?.canarySubsetName;
  const isCanary = (r: Route): boolean =>
    subset ? r.destination?.subset === subset : r.destination?.host === canary.canaryService;
  for (const section of ['http', 'tcp', 'tls']) {
    for (const rule of (vs.spec?.[section] as { route?: Route[] }[] | undefined) ?? []) {
      const routes = rule.route ?? [];
      if (!routes.some(isCanary)) continue;
      return {
        weight: routes.filter(isCanary).reduce((n, r) => n + (r.weight ?? 0), 0),
        total: routes.reduce((n, r) => n + (r.weight ?? 0), 0),
      };
    }
  }
  return undefined;
}

function canaryHashOf(latest: Map<string, Obj>, canary: CanarySpec): string | undefined {
  if (canary.canaryService) {
    const svc = latest.get(`services/${canary.canaryService}`);
    return (svc?.spec?.selector as Record<string, string> | undefined)?.[HASH];
  }
  const drName = canary.trafficRouting?.istio?.destinationRule?.name;
  const dr = drName ? latest.get(`destinationrules/${drName}`) : undefined;
  const subset = ((dr?.spec?.subsets ?? []) as { name: string; labels?: Record<string, string> }[]).find(
    (x) => x.name === canary.trafficRouting?.istio?.destinationRule?.canarySubsetName,
  );
  return subset?.labels?.[HASH];
}

/** Drops server metadata and the managed-by annotation (and an annotation map it leaves empty). */
function stripMetadata(o: Obj & { metadata: Record<string, unknown> }): void {
  for (const k of ['resourceVersion', 'generation', 'managedFields']) delete o.metadata[k];
  if (o.metadata.annotations) delete o.metadata.annotations[MANAGED_BY];
  if (o.metadata.annotations && Object.keys(o.metadata.annotations).length === 0)
    delete o.metadata.annotations;
}

function stripRouteWeights(o: Obj): void {
  for (const section of ['http', 'tcp', 'tls'])
    for (const rule of (o.spec?.[section] as { route?: Route[] }[] | undefined) ?? [])
      for (const r of rule.route ?? []) delete r.weight;
}

/** The object without the fields sluice owns (weights, hash selectors/labels, managed-by) and server metadata. */
function unowned(kind: Kind, obj: Obj): unknown {
  const o = structuredClone(obj) as Obj & { metadata: Record<string, unknown> };
  stripMetadata(o);
  delete o.status;
  if (kind === 'services') delete (o.spec?.selector as Record<string, string> | undefined)?.[HASH];
  if (kind === 'destinationrules')
    for (const s of (o.spec?.subsets ?? []) as { labels?: Record<string, string> }[]) delete s.labels?.[HASH];
  if (kind === 'virtualservices') stripRouteWeights(o);
  return o;
}

function diffHint(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 40), i + 40)} → …${b.slice(Math.max(0, i - 40), i + 40)}`;
}
