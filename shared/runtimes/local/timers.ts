/**
 * Timers of `sluice run`: an in-process timeout per Rollout and step that pushes the step request onto the queue
 * at its time. Per Rollout and pinned step only the earliest timer is kept (the pass it runs asks again for what is
 * still needed), so repeated requeues do not pile up. Timers live as long as the process: after a restart the
 * schedule tick finds what is due.
 */
import type { StepDetail } from '../../app/contract.js';
import type { Timers } from '../../app/ports.js';

/** A timer that fired: the step to request, why, and the time it was set for. */
export type FireTimer = (detail: StepDetail, reason: string, at: Date) => void;

/** {@link Timers} on in-process timeouts; `close()` cancels the pending ones. */
export class LocalTimers implements Timers {
  private readonly pending = new Map<string, { at: number; handle: ReturnType<typeof setTimeout> }>();
  private closed = false;

  constructor(
    private readonly fire: FireTimer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Arms a timer (kept only when it is the earliest for its Rollout and step). Ignored once closed. */
  async at(detail: StepDetail, at: Date, reason: string): Promise<void> {
    if (this.closed) return;
    const key = `${detail.cluster}/${detail.namespace}/${detail.rollout}@${detail.expectedStep ?? ''}`;
    const existing = this.pending.get(key);
    if (existing && existing.at <= at.getTime()) return;
    if (existing) clearTimeout(existing.handle);
    const handle = setTimeout(
      () => {
        this.pending.delete(key);
        this.fire(detail, reason, at);
      },
      // setTimeout's limit (about 24.8 days): a longer wait fires early and the pass asks again.
      Math.min(2 ** 31 - 1, Math.max(0, at.getTime() - this.now().getTime())),
    );
    this.pending.set(key, { at: at.getTime(), handle });
  }

  /** Timers waiting. */
  get size(): number {
    return this.pending.size;
  }

  /** Cancels every pending timer; later `at` calls are ignored. */
  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t.handle);
    this.pending.clear();
  }
}
