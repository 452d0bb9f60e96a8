/**
 * Reliability suite `suites/webhook.ts`, runnable alone: `npm test -- tests/reliability/webhook.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { webhookSuite } from './suites/webhook.js';

reliabilityFile('webhook', webhookSuite, { ledgers: true });
