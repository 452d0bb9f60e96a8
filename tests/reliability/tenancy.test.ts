/**
 * Reliability suite `suites/tenancy.ts`, runnable alone: `npm test -- tests/reliability/tenancy.test.ts`. Its figures
 * are checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { tenancySuite } from './suites/tenancy.js';

reliabilityFile('tenancy', tenancySuite, { ledgers: true });
