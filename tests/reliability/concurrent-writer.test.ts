/**
 * Reliability suite `suites/concurrent-writer.ts`, runnable alone: `npm test -- tests/reliability/concurrent-writer.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { concurrentWriterSuite } from './suites/concurrent-writer.js';

reliabilityFile('concurrent-writer', concurrentWriterSuite, { ledgers: true });
