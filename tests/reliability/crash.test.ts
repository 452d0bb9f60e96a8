/**
 * Reliability suite `suites/crash.ts`, runnable alone: `npm test -- tests/reliability/crash.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { crashSuite } from './suites/crash.js';

reliabilityFile('crash', crashSuite, { ledgers: true });
