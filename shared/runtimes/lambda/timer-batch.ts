/**
 * The step function's SQS side: a batch of delivered timers (event source mapping with
 * `ReportBatchItemFailures`). Each record runs the control loop's `fireTimer`, records in parallel; a record whose
 * pass failed is reported back so SQS delivers it again (after its visibility timeout; to the dead-letter queue
 * after the queue's maxReceiveCount), the others are deleted. A malformed body is logged and dropped (a retry
 * cannot fix it). A timer that arrives less than {@link MAX_EARLY_WAIT_MS} before its time (SQS delays are whole
 * seconds, rounded down and a second short when armed) waits out the rest, as long as the invocation's deadline
 * leaves room for it.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { fireTimer } from '../../app/control-loop.js';
import type { Logger, LoopDeps } from '../../app/ports.js';
import { parseTimerBody, type TimerMessage } from '../../app/timers.js';
import { invocationDeadline } from './deadline.js';

/**
 * The longest a delivered timer waits in the function for its time: the delivery lead plus one SQS delay step (a
 * timer is sent with its wait rounded down, less a second: shared/adapters/aws/timers.ts).
 */
export const MAX_EARLY_WAIT_MS = 2_000;

/** How long a timer may wait for its time in this invocation: two seconds, less when the deadline is nearer. */
export function earlyWaitMs(now: number): number {
  return Math.max(0, Math.min(MAX_EARLY_WAIT_MS, invocationDeadline() - now - MAX_EARLY_WAIT_MS));
}

/** True for an SQS event (as opposed to an EventBridge one). */
export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: { eventSource?: string }[] } | undefined)?.Records;
  return Array.isArray(records) && records.every((r) => r.eventSource === 'aws:sqs');
}

/**
 * Applies `handle` to every timer of the batch, records in parallel; returns the records to deliver again. A
 * malformed body is logged and dropped (a retry cannot fix it); a record whose `handle` threw is logged with
 * `failure` and reported back, so SQS delivers it again.
 */
export async function eachTimer(
  event: SQSEvent,
  log: Logger,
  failure: string,
  handle: (timer: TimerMessage, record: SQSRecord) => Promise<unknown>,
): Promise<SQSBatchResponse> {
  const failed = await Promise.all(
    event.Records.map(async (record) => {
      let timer: TimerMessage;
      try {
        timer = parseTimerBody(record.body);
      } catch (err) {
        log.error('timer dropped', { messageId: record.messageId, error: err });
        return undefined;
      }
      try {
        await handle(timer, record);
        return undefined;
      } catch (err) {
        log.error(failure, { messageId: record.messageId, error: err });
        return record.messageId;
      }
    }),
  );
  const batchItemFailures = failed.flatMap((id) => (id === undefined ? [] : [{ itemIdentifier: id }]));
  return { batchItemFailures };
}

/** Runs every timer of the batch; returns the records to deliver again. */
export function runTimerBatch(deps: LoopDeps, event: SQSEvent, log: Logger): Promise<SQSBatchResponse> {
  return eachTimer(event, log, 'timer failed, SQS delivers it again', (timer) =>
    fireTimer(deps, timer, log, earlyWaitMs(deps.now().getTime())),
  );
}
