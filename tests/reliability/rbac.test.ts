/**
 * Reliability suite `suites/rbac.ts`, runnable alone: `npm test -- tests/reliability/rbac.test.ts`. Its figures are
 * checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { rbacSuite } from './suites/rbac.js';

reliabilityFile('rbac', rbacSuite, { ledgers: true });
