/**
 * Reliability suite `suites/concurrency.ts`, runnable alone: `npm test -- tests/reliability/concurrency.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { concurrencySuite } from './suites/concurrency.js';

reliabilityFile('concurrency', concurrencySuite, { ledgers: true });
