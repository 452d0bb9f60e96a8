/**
 * The reliability run (`npm run test:reliability`): fault proxy, crash points, concurrency, bad inputs, fuzzing and
 * least privilege, operator refusals, a concurrent VirtualService writer, an unreachable cluster, near-limit objects,
 * random action sequences and dry runs, all against the real kube-apiserver, with the invariant ledger checked in every scenario. One
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
import { actionSequenceSuite } from './suites/action-sequences.js';
import { clusterSuite } from './suites/clusters.js';
import { concurrentWriterSuite } from './suites/concurrent-writer.js';
import { dryRunSuite } from './suites/dry-run.js';
import { largeObjectSuite } from './suites/large-objects.js';
import { operatorRefusalSuite } from './suites/operator-refusals.js';

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
operatorRefusalSuite();
concurrentWriterSuite();
clusterSuite();
largeObjectSuite();
actionSequenceSuite();
dryRunSuite();

describe('run totals', () => {
  it('no lost or duplicated step and no ledger violation in any scenario; every bad input rejected right', () => {
    expect(figures.ledgers).toBeGreaterThan(0);
    expect(figures.ledgerViolations).toEqual([]);
    expect(figures.lostSteps + figures.duplicatedSteps).toBe(0);
    expect(figures.badInputsRejected).toBe(figures.badInputs);
    expect(figures.crashPointsConverged).toBe(figures.crashPoints);
    expect(figures.faultsSurvived).toBe(figures.faultsInjected);
    expect(figures.dryRunPersisted).toBe(0);
  });
});
