/**
 * Timers as they travel (the body of a delayed SQS message, an in-process timeout) and the one rule for when a
 * pass asks for one. Pure.
 */
import { parseStepDetail, type StepDetail } from './contract.js';
import type { StepResult } from './step.js';

/** One armed timer: run a pass for `detail` at `at` (on SQS, its JSON is the message body). */
export interface TimerMessage {
  detail: StepDetail;
  /** ISO time the pass is due. */
  at: string;
  /** Why (`requeue after 30s: ...`), for the log. */
  reason: string;
}

/** Reads and checks a timer body; throws naming what is wrong. */
export function parseTimerBody(body: string): TimerMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new Error(`timer message is not JSON: ${(err as Error).message}`);
  }
  const m = (raw ?? {}) as Record<string, unknown>;
  const detail = parseStepDetail(m.detail);
  if (typeof m.at !== 'string' || Number.isNaN(Date.parse(m.at)))
    throw new Error('timer message: at must be an ISO time');
  return { detail, at: m.at, reason: typeof m.reason === 'string' ? m.reason : 'timer' };
}

/**
 * What the step queue carries (AWS): a pass to run now (`detail`, from a `sluice.step` event) or a timer forwarded
 * from the timer queue (`at` set: run when due, armed again when early).
 */
export type StepQueueMessage = { detail: StepDetail; reason?: string } | TimerMessage;

/** A step-queue message read back: a pass, or a timer. */
export type StepQueueWork = { kind: 'step'; detail: StepDetail } | { kind: 'timer'; timer: TimerMessage };

/** Reads a step-queue body; throws naming what is wrong. */
export function parseStepQueueBody(body: string): StepQueueWork {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new Error(`step queue message is not JSON: ${(err as Error).message}`);
  }
  const m = (raw ?? {}) as Record<string, unknown>;
  if (m.at !== undefined) return { kind: 'timer', timer: parseTimerBody(body) };
  return { kind: 'step', detail: parseStepDetail(m.detail) };
}

/**
 * When the pass wants to run again (its exact `wakeAt`, else `requeueAfterSeconds` after `now`), or undefined:
 * nothing asked, or it was stale or found nothing (whoever moved the Rollout armed what its step needs), or it wrote
 * (its follow-up step plans again and asks for its own). One write arms its own wake-up: the pass that starts a
 * timed pause, which alone knows the pause's start to the millisecond (the committed start is rounded down to the
 * second), so the pause lasts its duration as Argo Rollouts times it; the follow-up's later wake-up then finds the
 * next step and makes no transition.
 */
export function requeueAt(result: StepResult, now: Date): Date | undefined {
  if (result.outcome !== 'ran' || result.requeueAfterSeconds === undefined) return undefined;
  if (result.followUp && result.transition !== 'paused') return undefined;
  if (result.wakeAt !== undefined) return new Date(result.wakeAt);
  return new Date(now.getTime() + result.requeueAfterSeconds * 1000);
}
