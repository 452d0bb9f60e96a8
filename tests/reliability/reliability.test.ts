/**
 * The reliability run (`npm run test:reliability`): fault proxy, crash points, concurrency, bad inputs, fuzzing and
 * least privilege, all against the real kube-apiserver, with the invariant ledger checked in every scenario. One
 * file, so the figures of all suites are added up and printed once at the end.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { figures } from './support/figures.js';
import { badRolloutSuite } from './suites/bad-rollouts.js';
import { concurrencySuite } from './suites/concurrency.js';
import { crashSuite } from './suites/crash.js';
import { faultSuite } from './suites/faults.js';
import { fuzzSuite } from './suites/fuzz.js';
import { kubeconfigSuite } from './suites/kubeconfigs.js';
import { ledgerSelfSuite } from './suites/ledger-self.js';
import { rbacSuite } from './suites/rbac.js';
import { webhookSuite } from './suites/webhook.js';

afterAll(() => {
  process.stdout.write(figures.report());
});

ledgerSelfSuite();
faultSuite();
concurrencySuite();
crashSuite();
badRolloutSuite();
webhookSuite();
kubeconfigSuite();
fuzzSuite();
rbacSuite();

describe('run totals', () => {
  it('no lost or duplicated step and no ledger violation in any scenario; every bad input rejected right', () => {
    expect(figures.ledgers).toBeGreaterThan(0);
    expect(figures.ledgerViolations).toEqual([]);
    expect(figures.lostSteps + figures.duplicatedSteps).toBe(0);
    expect(figures.badInputsRejected).toBe(figures.badInputs);
    expect(figures.crashPointsConverged).toBe(figures.crashPoints);
    expect(figures.faultsSurvived).toBe(figures.faultsInjected);
  });
});
