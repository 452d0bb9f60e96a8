/**
 * Reliability suite `suites/clusters.ts`, runnable alone: `npm test -- tests/reliability/clusters.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { clusterSuite } from './suites/clusters.js';

reliabilityFile('clusters', clusterSuite, { ledgers: true });
