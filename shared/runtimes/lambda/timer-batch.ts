/**
 * The step function's SQS side: a batch of delivered timers (event source mapping with
 * `ReportBatchItemFailures`). Each record runs the control loop's `fireTimer`, records in parallel; a record whose
 * pass failed is reported back so SQS delivers it again (after its visibility timeout; to the dead-letter queue
 * after the queue's maxReceiveCount), the others are deleted. A malformed body is logged and dropped (a retry
 * cannot fix it).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fireTimer } from '../../app/control-loop.js';
import type { Logger, LoopDeps } from '../../app/ports.js';
import { parseTimerBody, type TimerMessage } from '../../app/timers.js';

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
        await fireTimer(deps, timer, log);
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
