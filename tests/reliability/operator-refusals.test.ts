/**
 * Reliability suite `suites/operator-refusals.ts`, runnable alone: `npm test -- tests/reliability/operator-refusals.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { operatorRefusalSuite } from './suites/operator-refusals.js';

reliabilityFile('operator-refusals', operatorRefusalSuite, { ledgers: true });
