import { describe, it, expect, beforeEach } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  MAX_REQUEST_BYTES,
  PutEventsError,
  batches,
  entrySize,
  putEvents,
} from '../../../../shared/adapters/aws/events.js';

const eb = mockClient(EventBridgeClient);
const client = new EventBridgeClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const noWait = { sleep: async () => {}, random: () => 0.5 };
const entries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ detailType: 'RolloutStepCompleted', detail: { i } }));
const sent = (call: number): PutEventsRequestEntry[] =>
  eb.commandCalls(PutEventsCommand)[call]!.args[0].input.Entries ?? [];
const ids = (call: number) => sent(call).map((e) => (JSON.parse(e.Detail!) as { i: number }).i);
const ok = (n: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: n }, (_, i) => ({ EventId: `e${i}` })),
});

beforeEach(() => {
  eb.reset();
});

describe('putEvents', () => {
  it('sends 23 entries as batches of 10, 10 and 3 with source sluice and JSON detail', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
    await putEvents(client, 'sluice-bus', entries(23), noWait);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect([0, 1, 2].map((c) => sent(c).length)).toEqual([10, 10, 3]);
    expect(sent(0)[0]).toEqual({
      EventBusName: 'sluice-bus',
      Source: 'sluice',
      DetailType: 'RolloutStepCompleted',
      Detail: '{"i":0}',
    });
  });

  it('retries only the entries that failed', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow' },
          { EventId: 'c' },
          { ErrorCode: 'InternalFailure' },
        ],
      })
      .resolvesOnce(ok(2));
    await putEvents(client, 'bus', entries(4), noWait);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(ids(1)).toEqual([1, 3]);
  });

  it('retries a whole batch after a thrown error (throttling)', async () => {
    eb.on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves(ok(3));
    await putEvents(client, 'bus', entries(3), noWait);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(ids(1)).toEqual([0, 1, 2]);
  });

  it('throws naming how many were lost after the last attempt, with backoff between attempts', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) =>
        i === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'boom' } : { EventId: `e${i}` },
      ),
    }));
    const waits: number[] = [];
    const err = await putEvents(client, 'bus', entries(12), {
      maxAttempts: 3,
      random: () => 1,
      baseDelayMs: 100,
      sleep: async (ms) => void waits.push(ms),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PutEventsError);
    expect((err as PutEventsError).lost).toBe(2); // entry 0 of each batch
    expect((err as Error).message).toMatch(
      /^putEvents: 2 of 12 events were lost after retries \(InternalFailure: boom/,
    );
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 6);
    expect(waits).toEqual([200, 400, 200, 400]);
  });

  it('treats a missing result entry as a failure', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }] })
      .resolves(ok(1));
    await putEvents(client, 'bus', entries(2), noWait);
    expect(ids(1)).toEqual([1]);
  });

  it('sends nothing for no entries', async () => {
    await putEvents(client, 'bus', [], noWait);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});

describe('batches', () => {
  const entry = (detailBytes: number): PutEventsRequestEntry => ({
    Source: 'sluice',
    DetailType: 'sluice.drift',
    Detail: 'x'.repeat(detailBytes),
  });
  const overhead = entrySize(entry(0));

  it('cuts at 10 entries and at 256 KiB, in order', () => {
    expect(batches(Array.from({ length: 21 }, () => entry(10))).map((b) => b.length)).toEqual([10, 10, 1]);
    const half = MAX_REQUEST_BYTES / 2 - overhead;
    expect(batches([entry(half), entry(half), entry(1)]).map((b) => b.length)).toEqual([2, 1]);
    expect(batches([entry(half + 1), entry(half)]).map((b) => b.length)).toEqual([1, 1]);
  });

  it('refuses an entry larger than a whole call, naming its type and size', () => {
    const size = MAX_REQUEST_BYTES + 1;
    expect(() => batches([entry(size - overhead)])).toThrow(
      `putEvents: a sluice.drift event of ${size} bytes exceeds EventBridge's ${MAX_REQUEST_BYTES}`,
    );
  });

  it('counts bytes, not characters, and Time and Resources as EventBridge does', () => {
    expect(entrySize({ Source: 'sluice', DetailType: 'é', Detail: '{}' })).toBe(6 + 2 + 2);
    expect(entrySize({ Time: new Date(), Source: 's', Resources: ['ab', 'c'] })).toBe(14 + 1 + 3);
  });
});
