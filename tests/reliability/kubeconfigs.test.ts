/**
 * Reliability suite `suites/kubeconfigs.ts`, runnable alone: `npm test -- tests/reliability/kubeconfigs.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { kubeconfigSuite } from './suites/kubeconfigs.js';

reliabilityFile('kubeconfigs', kubeconfigSuite, { ledgers: false });
