/**
 * Reliability suite `suites/large-objects.ts`, runnable alone: `npm test -- tests/reliability/large-objects.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { largeObjectSuite } from './suites/large-objects.js';

reliabilityFile('large-objects', largeObjectSuite, { ledgers: true });
