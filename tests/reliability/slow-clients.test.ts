/**
 * Reliability suite `suites/slow-clients.ts`, runnable alone: `npm test -- tests/reliability/slow-clients.test.ts`.
 * Its figures are checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { slowClientsSuite } from './suites/slow-clients.js';

reliabilityFile('slow-clients', slowClientsSuite, { ledgers: false });
