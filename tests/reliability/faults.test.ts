/**
 * Reliability suite `suites/faults.ts`, runnable alone: `npm test -- tests/reliability/faults.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { faultSuite } from './suites/faults.js';

reliabilityFile('faults', faultSuite, { ledgers: true });
