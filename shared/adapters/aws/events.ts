/**
 * Publish sluice events to EventBridge: batches of at most 10 entries and 256 KiB (the PutEvents limits), retrying only the entries that failed
 * (`FailedEntryCount` / per-entry `ErrorCode`) with jittered backoff, and throwing, naming how many were lost, when
 * some still fail after the last attempt.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** `Source` of every event sluice publishes. */
export const EVENT_SOURCE = 'sluice';
/** PutEvents accepts at most this many entries per call. */
export const BATCH_SIZE = 10;
/** PutEvents accepts at most this many bytes of entries per call (and so per entry). */
export const MAX_REQUEST_BYTES = 256 * 1024;

const bytes = (s: string | undefined): number => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));

/** An entry's size as EventBridge counts it: Time (14 bytes when set), Source, DetailType, Detail, Resources. */
export function entrySize(e: PutEventsRequestEntry): number {
  const resources = (e.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0);
  return (e.Time ? 14 : 0) + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail) + resources;
}

/**
 * The entries in order, in calls of at most {@link BATCH_SIZE} entries and {@link MAX_REQUEST_BYTES} bytes.
 * Throws, naming it, for an entry larger than a whole call (EventBridge would refuse it).
 */
export function batches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let size = 0;
  for (const e of entries) {
    const n = entrySize(e);
    if (n > MAX_REQUEST_BYTES)
      throw new Error(
        `putEvents: a ${e.DetailType} event of ${n} bytes exceeds EventBridge's ${MAX_REQUEST_BYTES}`,
      );
    if (current.length === BATCH_SIZE || size + n > MAX_REQUEST_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface PutEventsOptions {
  /** Attempts per batch, first included (default 4). */
  maxAttempts?: number;
  /** Backoff base (default 100 ms); wait = random * min(cap, base * 2^attempt). */
  baseDelayMs?: number;
  capDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Some entries could not be published. */
export class PutEventsError extends Error {
  override readonly name = 'PutEventsError';
  constructor(
    readonly lost: number,
    readonly total: number,
    readonly errors: string[],
  ) {
    super(`putEvents: ${lost} of ${total} events were lost after retries (${errors.slice(0, 3).join('; ')})`);
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function sendBatch(
  client: EventBridgeClient,
  batch: PutEventsRequestEntry[],
  o: Required<PutEventsOptions>,
): Promise<string[]> {
  // Loaded here, not at the top: a function that sends nothing never loads the EventBridge client at all.
  const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
  let pending = batch;
  let lastErrors: string[] = [];
  for (let attempt = 0; attempt < o.maxAttempts; attempt++) {
    if (attempt > 0) await o.sleep(o.random() * Math.min(o.capDelayMs, o.baseDelayMs * 2 ** attempt));
    let out;
    try {
      out = await client.send(new PutEventsCommand({ Entries: pending }));
    } catch (err) {
      // The whole call failed (throttled, network): every pending entry is retried.
      lastErrors = pending.map(() => `${(err as Error).name}: ${(err as Error).message}`);
      continue;
    }
    if (!out.FailedEntryCount) return [];
    const results = out.Entries ?? [];
    const next: PutEventsRequestEntry[] = [];
    lastErrors = [];
    pending.forEach((entry, i) => {
      const r = results[i];
      // A missing result entry is treated as a failure: never assume delivery.
      if (!r || r.ErrorCode || !r.EventId) {
        next.push(entry);
        lastErrors.push(`${r?.ErrorCode ?? 'NoResult'}: ${r?.ErrorMessage ?? 'no result entry'}`);
      }
    });
    pending = next;
    if (pending.length === 0) return [];
  }
  return lastErrors;
}

/**
 * Put `entries` on `busName` with source {@link EVENT_SOURCE}.
 * @throws {@link PutEventsError} naming how many entries were lost after `maxAttempts` per batch.
 */
export async function putEvents(
  client: EventBridgeClient,
  busName: string,
  entries: { detailType: string; detail: object }[],
  options: PutEventsOptions = {},
): Promise<void> {
  const o: Required<PutEventsOptions> = {
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 100,
    capDelayMs: options.capDelayMs ?? 2000,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? defaultSleep,
  };
  const all: PutEventsRequestEntry[] = entries.map((e) => ({
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: e.detailType,
    Detail: JSON.stringify(e.detail),
  }));
  const errors: string[] = [];
  for (const batch of batches(all)) errors.push(...(await sendBatch(client, batch, o)));
  if (errors.length > 0) throw new PutEventsError(errors.length, all.length, errors);
}
