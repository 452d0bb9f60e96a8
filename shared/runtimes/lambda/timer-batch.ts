/**
 * The step function's SQS side: a batch of delivered timers (event source mapping with
 * `ReportBatchItemFailures`). Each record runs the control loop's `fireTimer`, records in parallel; a record whose
 * pass failed is reported back so SQS delivers it again (after its visibility timeout; to the dead-letter queue
 * after the queue's maxReceiveCount), the others are deleted. A malformed body is logged and dropped (a retry
 * cannot fix it). A timer that arrives less than {@link MAX_EARLY_WAIT_MS} before its time (SQS delays are whole
 * seconds, rounded down when armed) waits out the rest, as long as the invocation's deadline leaves room for it.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fireTimer } from '../../app/control-loop.js';
import type { Logger, LoopDeps } from '../../app/ports.js';
import { parseTimerBody, type TimerMessage } from '../../app/timers.js';
import { invocationDeadline } from './deadline.js';

/** The longest a delivered timer waits in the function for its time (one SQS delay step). */
export const MAX_EARLY_WAIT_MS = 1_000;

/** How long a timer may wait for its time in this invocation: a second, less when the deadline is nearer. */
export function earlyWaitMs(now: number): number {
  return Math.max(0, Math.min(MAX_EARLY_WAIT_MS, invocationDeadline() - now - MAX_EARLY_WAIT_MS));
}

/** True for an SQS event (as opposed to an EventBridge one). */
export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: { eventSource?: string }[] } | undefined)?.Records;
  return Array.isArray(records) && records.every((r) => r.eventSource === 'aws:sqs');
}

/** Runs every timer of the batch; returns the records to deliver again. */
export async function runTimerBatch(deps: LoopDeps, event: SQSEvent, log: Logger): Promise<SQSBatchResponse> {
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
        await fireTimer(deps, timer, log, earlyWaitMs(deps.now().getTime()));
        return undefined;
      } catch (err) {
        log.error('timer failed, SQS delivers it again', { messageId: record.messageId, error: err });
        return record.messageId;
      }
    }),
  );
  const batchItemFailures = failed.flatMap((id) => (id === undefined ? [] : [{ itemIdentifier: id }]));
  return { batchItemFailures };
}
