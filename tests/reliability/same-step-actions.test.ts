/**
 * Reliability suite `suites/same-step-actions.ts`, runnable alone: `npm test -- tests/reliability/same-step-actions.test.ts`.
 * Its figures are checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { sameStepActionsSuite } from './suites/same-step-actions.js';

reliabilityFile('same-step-actions', sameStepActionsSuite, { ledgers: true });
