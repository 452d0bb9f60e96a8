/**
 * Timers on SQS: one message per timer, held back by SQS's per-message delay (`DelaySeconds`, whole seconds, at
 * most 900). A wait longer than 900 s is sent with the maximum delay and armed again by its consumer when it
 * arrives early (`fireTimer`), so any wait works. The delay is the wait rounded down, less {@link DELIVERY_LEAD_SECONDS}:
 * a timer arrives one to two seconds before its time, early enough to cover the hops after it (the event source
 * mapping's pick-up, the forward to the step queue and that queue's pick-up), and its consumer waits out the rest
 * (the timer-queue forward when there is a step queue, else `fireTimer`'s bounded wait): the pass runs at the time
 * asked for, not up to a second after it. The message is on the queue once `SendMessage` answered: a crash of the
 * function that asked for it afterwards loses nothing; the step function consumes the queue.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Timers } from '../../app/ports.js';
import type { StepDetail } from '../../app/contract.js';
import type { TimerMessage } from '../../app/timers.js';

/** SQS's largest per-message delay, in seconds. */
export const MAX_DELAY_SECONDS = 900;

/** How many seconds before its time a timer is delivered at least (see the module comment). */
export const DELIVERY_LEAD_SECONDS = 1;

/** Whole seconds SQS holds a timer for `at` back when sent at `now`: rounded down, less the lead, 0 to 900. */
export function delaySeconds(at: Date, now: Date): number {
  const seconds = Math.floor((at.getTime() - now.getTime()) / 1000) - DELIVERY_LEAD_SECONDS;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, seconds));
}

/**
 * {@link Timers} on the SQS queue at `queueUrl`.
 *
 * @example
 * const timers = sqsTimers(new SQSClient({}), process.env.SLUICE_TIMER_QUEUE_URL);
 * await timers.at({ cluster: 'prod', namespace: 'shop', rollout: 'reviews', expectedStep: 3 }, end, 'pause end');
 */
export function sqsTimers(
  client: SQSClient | (() => Promise<SQSClient>),
  queueUrl: string,
  now: () => Date = () => new Date(),
): Timers {
  let built: Promise<SQSClient> | undefined;
  const sqs = (): Promise<SQSClient> =>
    typeof client === 'function' ? (built ??= client()) : Promise.resolve(client);
  return {
    at: async (detail: StepDetail, at: Date, reason: string) => {
      try {
        // Loaded when the first timer is armed: a function that arms none (schedule, watch, promote) never loads it.
        const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
        const sender = await sqs();
        await sender.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify({ detail, at: at.toISOString(), reason } satisfies TimerMessage),
            DelaySeconds: delaySeconds(at, now()),
          }),
        );
      } catch (err) {
        const target = `${detail.cluster}/${detail.namespace}/${detail.rollout}`;
        throw new Error(
          `arm timer for ${target} at ${at.toISOString()} on ${queueUrl}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    },
  };
}
