/**
 * Reliability suite `suites/action-sequences.ts`, runnable alone: `npm test -- tests/reliability/action-sequences.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { actionSequenceSuite } from './suites/action-sequences.js';

reliabilityFile('action-sequences', actionSequenceSuite, { ledgers: true });
