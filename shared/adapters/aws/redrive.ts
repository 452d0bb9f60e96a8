/**
 * Redrive of the failure queue: Lambda's on-failure destination writes one invocation record per given-up
 * asynchronous invocation (`requestPayload` = the original event). A sluice bus event (`sluice.step`,
 * `sluice.drift`) is put back on the bus, then its record deleted; a schedule tick's record is deleted without a
 * resend (the next tick does the same work); a record that is neither stays in the queue, counted as unreadable.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { EVENT_SOURCE, putEvents } from './events.js';

/** What one redrive did. */
export interface RedriveResult {
  /** Bus events put back on the bus. */
  resent: number;
  /** Schedule records deleted without a resend. */
  dropped: number;
  /** Records left in the queue (not an invocation record sluice can resend). */
  unreadable: number;
}

type Record_ = { requestPayload?: { source?: unknown; 'detail-type'?: unknown; detail?: unknown } };

function classify(body: string | undefined): { detailType: string; detail: object } | 'schedule' | undefined {
  let record: Record_;
  try {
    record = JSON.parse(body ?? '') as Record_;
  } catch {
    return undefined;
  }
  const event = record?.requestPayload;
  if (event?.source === 'aws.events') return 'schedule';
  if (event?.source !== EVENT_SOURCE || typeof event['detail-type'] !== 'string') return undefined;
  if (typeof event.detail !== 'object' || event.detail === null) return undefined;
  return { detailType: event['detail-type'], detail: event.detail };
}

/**
 * Reads the queue until it answers empty (or `maxMessages` were seen) and redrives each record.
 * @throws PutEventsError when an event cannot be put back (its record stays in the queue).
 */
export async function redriveFailed(
  sqs: SQSClient,
  bus: EventBridgeClient,
  queueUrl: string,
  busName: string,
  maxMessages = 1000,
): Promise<RedriveResult> {
  const result: RedriveResult = { resent: 0, dropped: 0, unreadable: 0 };
  const seen = new Set<string>();
  while (seen.size < maxMessages) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    const messages = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (messages.length === 0) break;
    for (const m of messages) {
      seen.add(m.MessageId ?? '');
      const what = classify(m.Body);
      if (what === undefined) {
        // left for a human: visible again at once (this run skips it, having seen it)
        result.unreadable++;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
        continue;
      }
      if (what === 'schedule') result.dropped++;
      else {
        await putEvents(bus, busName, [what]);
        result.resent++;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return result;
}
