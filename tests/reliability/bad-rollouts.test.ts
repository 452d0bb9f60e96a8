/**
 * Reliability suite `suites/bad-rollouts.ts`, runnable alone: `npm test -- tests/reliability/bad-rollouts.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { badRolloutSuite } from './suites/bad-rollouts.js';

reliabilityFile('bad-rollouts', badRolloutSuite, { ledgers: true });
