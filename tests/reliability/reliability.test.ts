/**
 * The reliability run (`npm run test:reliability`): fault proxy, crash points, concurrency, bad inputs, fuzzing and
 * least privilege, all against the real kube-apiserver, with the invariant ledger checked in every scenario. One
 * file, so the figures of all suites are added up and printed once at the end.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { figures } from './support/figures.js';
import { crashSuite } from './suites/crash.js';

afterAll(() => {
  process.stdout.write(figures.report());
});

crashSuite();

describe('ledger totals', () => {
  it('has no lost or duplicated step and no invariant violation in any scenario so far', () => {
    expect(figures.ledgerViolations).toEqual([]);
    expect(figures.lostSteps + figures.duplicatedSteps).toBe(0);
  });
});
