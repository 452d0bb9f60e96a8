/**
 * Reliability suite `suites/ledger-self.ts`, runnable alone: `npm test -- tests/reliability/ledger-self.test.ts`.
 * It proves the ledger can fail; its violations are made on purpose, so it adds nothing to the run's figures.
 */
import { ledgerSelfSuite } from './suites/ledger-self.js';

ledgerSelfSuite();
