/**
 * The step function over the step queue (AWS; shared/adapters/aws/step-queue.ts). With `SLUICE_STEP_QUEUE_URL`
 * set, a `sluice.step` event and a delivered timer are not run where they arrive: they are forwarded to the FIFO
 * step queue (one SendMessage, no cluster call), deduplicated by the EventBridge event id or the timer's SQS
 * message id, so a duplicate delivery of either is one pass, and a long timer delivered twice re-arms one chain,
 * not two. The queue's event source mapping then runs the passes, at most `MaximumConcurrency` invocations at once,
 * one Rollout's messages one after the other.
 */
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { fireTimer, step, waitUntilDue } from '../../app/control-loop.js';
import type { StepDetail } from '../../app/contract.js';
import type { Logger, LoopDeps } from '../../app/ports.js';
import { parseStepQueueBody } from '../../app/timers.js';
import type { StepQueue } from '../../adapters/aws/step-queue.js';
import { eachTimer, earlyWaitMs, runTimerBatch } from './timer-batch.js';

/** True for a batch from a FIFO queue (the step queue), as opposed to the standard timer queue. */
export function isFifoBatch(event: SQSEvent): boolean {
  return event.Records.length > 0 && event.Records.every((r) => r.eventSourceARN?.endsWith('.fifo') === true);
}

/** A `sluice.step` event forwarded to the step queue, deduplicated by its EventBridge id. */
export async function forwardStep(
  queue: StepQueue,
  event: EventBridgeEvent<string, unknown>,
  detail: StepDetail,
): Promise<{ queued: string }> {
  await queue.send({ message: { detail, reason: `sluice.step ${event.id}` }, dedupeId: `event-${event.id}` });
  return { queued: event.id };
}

/**
 * The timer queue's batch forwarded to the step queue, each timer deduplicated by its SQS message id (a duplicate
 * delivery carries the same id). A timer that came at most {@link earlyWaitMs} before its time (they are sent a
 * second early: shared/adapters/aws/timers.ts) is forwarded at its time, so its pass runs after no more than the
 * step queue's pick-up, and no step-queue slot is held while it waits; one that came earlier is forwarded at once
 * and armed again there. A malformed body is logged and dropped; a record SQS refused is reported back.
 */
export function forwardTimers(
  queue: StepQueue,
  event: SQSEvent,
  log: Logger,
  now: () => Date,
): Promise<SQSBatchResponse> {
  return eachTimer(event, log, 'timer not forwarded, SQS delivers it again', async (timer, record) => {
    await waitUntilDue(new Date(timer.at), now, earlyWaitMs(now().getTime()));
    await queue.send({ message: timer, dedupeId: `timer-${record.messageId}` });
  });
}

/** Runs one step-queue record: a pass, or a forwarded timer. Throws when the pass failed (SQS delivers it again). */
async function runRecord(deps: LoopDeps, record: SQSRecord, log: Logger): Promise<void> {
  let work;
  try {
    work = parseStepQueueBody(record.body);
  } catch (err) {
    log.error('step queue message dropped', { messageId: record.messageId, error: err });
    return;
  }
  if (work.kind === 'timer') await fireTimer(deps, work.timer, log, earlyWaitMs(deps.now().getTime()));
  else await step(deps, work.detail, log);
}

/**
 * A step-queue batch: different Rollouts in parallel, one Rollout's records in order (a batch may hold several of
 * one message group). When a record fails, it and the rest of its group are reported back, so SQS delivers them
 * again in order; the other groups' records are deleted.
 */
export async function runStepQueueBatch(
  deps: LoopDeps,
  event: SQSEvent,
  log: Logger,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const r of event.Records) {
    const key = r.attributes.MessageGroupId ?? r.messageId;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const failed = await Promise.all(
    [...groups.values()].map(async (records) => {
      for (const [i, record] of records.entries()) {
        try {
          await runRecord(deps, record, log);
        } catch (err) {
          log.error('pass failed, SQS delivers it again', { messageId: record.messageId, error: err });
          return records.slice(i).map((r) => r.messageId);
        }
      }
      return [];
    }),
  );
  return { batchItemFailures: failed.flat().map((id) => ({ itemIdentifier: id })) };
}

/**
 * The step function's SQS side: a step-queue batch runs its passes; a timer-queue batch is forwarded to the step
 * queue when there is one, run where it arrived otherwise (timer-batch.ts).
 */
export function runSqsBatch(
  queue: StepQueue | undefined,
  deps: LoopDeps,
  event: SQSEvent,
  log: Logger,
): Promise<SQSBatchResponse> {
  if (isFifoBatch(event)) return runStepQueueBatch(deps, event, log);
  return queue ? forwardTimers(queue, event, log, deps.now) : runTimerBatch(deps, event, log);
}
