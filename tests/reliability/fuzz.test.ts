/**
 * Reliability suite `suites/fuzz.ts`, runnable alone: `npm test -- tests/reliability/fuzz.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { fuzzSuite } from './suites/fuzz.js';

reliabilityFile('fuzz', fuzzSuite, { ledgers: true });
