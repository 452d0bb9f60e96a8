/**
 * The step queue (an SQS FIFO queue with an event source mapping, shared/adapters/aws/step-queue.ts) modelled in
 * process for the reaction bench: a message becomes receivable `pickupMs` after it is sent (the Lambda poller's
 * pick-up), a message group (one Rollout) has at most one message in flight and keeps its order, at most
 * `concurrency` invocations run at once (the mapping's `MaximumConcurrency`), one record per invocation (the
 * deployed batch size), a deduplication id seen in the last five minutes is dropped, and a record the handler
 * reports as failed goes back to the front of its group. The real queue on the AWS API server is exercised by
 * the tests (tests/support/step-queue-esm.ts) and by `--only bound`; here only its delays and ordering matter.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { stepDedupeId, stepGroupId, type StepQueue } from '../../shared/adapters/aws/step-queue.js';

/** SQS FIFO's deduplication window. */
const DEDUPE_WINDOW_MS = 5 * 60_000;
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:sluice-bench-steps.fifo';

interface Pending {
  id: string;
  group: string;
  body: string;
  visibleAt: number;
}

/** What the model counted. */
export interface StepQueueStats {
  sent: number;
  deduplicated: number;
  invocations: number;
  /** The most invocations running at once. */
  peakConcurrency: number;
}

/** A {@link StepQueue} whose messages reach `invoke` as one-record FIFO batches. */
export class StepQueueModel implements StepQueue {
  readonly stats: StepQueueStats = { sent: 0, deduplicated: 0, invocations: 0, peakConcurrency: 0 };
  private readonly queue: Pending[] = [];
  private readonly seen = new Map<string, number>();
  private readonly busyGroups = new Set<string>();
  private running = 0;
  private readonly freeSlots: number[] = [];
  private closed = false;

  constructor(
    /** Runs one batch in container `slot` (0 ≤ slot < concurrency: each has its own client, as on Lambda). */
    private readonly invoke: (event: SQSEvent, slot: number) => Promise<SQSBatchResponse | unknown>,
    private readonly concurrency: number,
    private readonly pickupMs: number,
  ) {
    for (let i = concurrency - 1; i >= 0; i--) this.freeSlots.push(i);
  }

  send: StepQueue['send'] = async ({ message, dedupeId }) => {
    const now = Date.now();
    const id = stepDedupeId(dedupeId);
    const first = this.seen.get(id);
    if (first !== undefined && now - first < DEDUPE_WINDOW_MS) {
      this.stats.deduplicated++;
      return;
    }
    this.seen.set(id, now);
    this.stats.sent++;
    const group = stepGroupId(message.detail);
    this.queue.push({
      id: `m${this.stats.sent}`,
      group,
      body: JSON.stringify(message),
      visibleAt: now + this.pickupMs,
    });
    setTimeout(() => this.pump(), this.pickupMs);
  };

  /** Stops handing out messages (what is running finishes). */
  close(): void {
    this.closed = true;
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency) {
      const next = this.nextReceivable();
      if (!next) return;
      this.queue.splice(this.queue.indexOf(next), 1);
      this.start(next);
    }
  }

  /** The first group head that is receivable and whose group has nothing in flight; else arms the next look. */
  private nextReceivable(): Pending | undefined {
    const now = Date.now();
    const heads = new Set<string>();
    let wake = Number.POSITIVE_INFINITY;
    for (const m of this.queue) {
      if (this.busyGroups.has(m.group) || heads.has(m.group)) continue;
      heads.add(m.group);
      if (m.visibleAt <= now) return m;
      wake = Math.min(wake, m.visibleAt);
    }
    if (wake !== Number.POSITIVE_INFINITY) setTimeout(() => this.pump(), wake - now);
    return undefined;
  }

  private start(m: Pending): void {
    this.running++;
    const slot = this.freeSlots.pop() ?? 0;
    this.busyGroups.add(m.group);
    this.stats.invocations++;
    this.stats.peakConcurrency = Math.max(this.stats.peakConcurrency, this.running);
    const event = {
      Records: [
        {
          messageId: m.id,
          receiptHandle: m.id,
          body: m.body,
          attributes: { MessageGroupId: m.group, ApproximateReceiveCount: '1' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: QUEUE_ARN,
          awsRegion: 'us-east-1',
        },
      ],
    } as unknown as SQSEvent;
    void Promise.resolve(this.invoke(event, slot))
      .then((out) => {
        const failures = (out as SQSBatchResponse | undefined)?.batchItemFailures ?? [];
        if (failures.length > 0) this.queue.unshift({ ...m, visibleAt: Date.now() + this.pickupMs });
      })
      .catch(() => this.queue.unshift({ ...m, visibleAt: Date.now() + this.pickupMs }))
      .finally(() => {
        this.running--;
        this.freeSlots.push(slot);
        this.busyGroups.delete(m.group);
        this.pump();
      });
  }
}
