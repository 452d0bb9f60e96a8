/**
 * Reliability suites `suites/concurrent-writer.ts` and `suites/commit-race.ts`, runnable alone:
 * `npm test -- tests/reliability/concurrent-writer.test.ts`. Their figures are checked in this file and added to the
 * run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { commitRaceSuite } from './suites/commit-race.js';
import { concurrentWriterSuite } from './suites/concurrent-writer.js';

reliabilityFile(
  'concurrent-writer',
  () => {
    concurrentWriterSuite();
    commitRaceSuite();
  },
  { ledgers: true },
);
