/**
 * The in-process stand-in for EventBridge in `sluice run`: a queue of step requests per Rollout. Requests for a
 * Rollout that is already waiting are merged into one (reasons and drifted objects are collected); a Rollout has
 * at most one pass in flight, and a request that arrives meanwhile runs after it.
 */
import { refKey, type ObjectRef } from '../../app/references.js';

/** What to run for one Rollout. */
export interface RolloutJob {
  cluster: string;
  namespace: string;
  name: string;
  /** Why it runs (due reasons, operator actions, follow-ups), oldest first, without duplicates. */
  reasons: string[];
  /** The step the sender saw; dropped when merged requests disagree. */
  expectedStep?: number;
  /** Referenced objects that changed (a drift check runs for each). */
  drifts: ObjectRef[];
  /** A plain step pass was asked for (schedule, operator action, follow-up); it runs after the drift checks. */
  step: boolean;
  /** The latest time a timer merged into this job was set for (the pass is a timer's: StepRequest.wokenAt). */
  wokenAt?: Date;
}

/** One request: a reason, optionally a pinned step, or a drifted object. */
export interface RolloutRequest {
  cluster: string;
  namespace: string;
  name: string;
  reason: string;
  expectedStep?: number;
  drift?: ObjectRef;
  /** Set when a timer asks for the pass: the time it was set for. */
  wokenAt?: Date;
}

/** `cluster/namespace/name`. */
export function jobKey(r: { cluster: string; namespace: string; name: string }): string {
  return `${r.cluster}/${r.namespace}/${r.name}`;
}

function merge(job: RolloutJob, req: RolloutRequest): void {
  if (!job.reasons.includes(req.reason)) job.reasons.push(req.reason);
  if (job.expectedStep !== req.expectedStep) delete job.expectedStep;
  if (!req.drift) job.step = true;
  if (req.drift && !job.drifts.some((d) => refKey(d) === refKey(req.drift as ObjectRef)))
    job.drifts.push(req.drift);
  if (req.wokenAt && (!job.wokenAt || req.wokenAt > job.wokenAt)) job.wokenAt = req.wokenAt;
}

function newJob(req: RolloutRequest): RolloutJob {
  const job: RolloutJob = {
    cluster: req.cluster,
    namespace: req.namespace,
    name: req.name,
    reasons: [req.reason],
    drifts: req.drift ? [req.drift] : [],
    step: !req.drift,
  };
  if (req.expectedStep !== undefined) job.expectedStep = req.expectedStep;
  if (req.wokenAt) job.wokenAt = req.wokenAt;
  return job;
}

/**
 * A per-Rollout coalescing queue with at most `concurrency` jobs in flight overall and one per Rollout.
 *
 * @example
 * const q = new RolloutQueue(async (job) => runStep(...), { concurrency: 4 });
 * q.push({ cluster: 'local', namespace: 'shop', name: 'reviews', reason: 'spec changed' });
 */
export class RolloutQueue {
  private readonly pending = new Map<string, RolloutJob>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private closed = false;
  private readonly concurrency: number;
  private readonly onError: (job: RolloutJob, err: unknown) => void;

  constructor(
    private readonly run: (job: RolloutJob) => Promise<void>,
    opts: { concurrency?: number; onError?: (job: RolloutJob, err: unknown) => void } = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.onError = opts.onError ?? (() => undefined);
  }

  /** Adds a request (merged into a waiting one for the same Rollout). Ignored once closed. */
  push(req: RolloutRequest): void {
    if (this.closed) return;
    const key = jobKey(req);
    const waiting = this.pending.get(key);
    if (waiting) merge(waiting, req);
    else this.pending.set(key, newJob(req));
    this.pump();
  }

  /** Requests waiting (not in flight). */
  get waiting(): number {
    return this.pending.size;
  }

  /** Jobs in flight. */
  get running(): number {
    return this.inFlight.size;
  }

  private pump(): void {
    for (const [key, job] of this.pending) {
      if (this.closed || this.inFlight.size >= this.concurrency) return;
      if (this.inFlight.has(key)) continue;
      this.pending.delete(key);
      const p = this.run(job)
        .catch((err: unknown) => this.onError(job, err))
        .finally(() => {
          this.inFlight.delete(key);
          this.pump();
        });
      this.inFlight.set(key, p);
    }
  }

  /** Resolves when nothing is waiting or in flight. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || (this.pending.size > 0 && !this.closed)) {
      await Promise.race([...this.inFlight.values(), new Promise((r) => setTimeout(r, 10))]);
    }
  }

  /**
   * Stops taking requests, drops the waiting ones (the cluster holds the state: the next start finds them due
   * again) and resolves when the passes in flight have finished. Returns how many were dropped.
   */
  async close(): Promise<number> {
    this.closed = true;
    const dropped = this.pending.size;
    this.pending.clear();
    await Promise.all([...this.inFlight.values()]);
    return dropped;
  }
}
