/**
 * Reliability suite `suites/dry-run.ts`, runnable alone: `npm test -- tests/reliability/dry-run.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { dryRunSuite } from './suites/dry-run.js';

reliabilityFile('dry-run', dryRunSuite, { ledgers: true });
