/**
 * Reliability suite `suites/analysis-measure.ts`, runnable alone: `npm test -- tests/reliability/analysis-measure.test.ts`.
 * Its figures are checked in this file and added to the run's totals (docs/reliability.md).
 */
import { reliabilityFile } from './support/figures.js';
import { analysisMeasureSuite } from './suites/analysis-measure.js';

reliabilityFile('analysis-measure', analysisMeasureSuite, { ledgers: false });
