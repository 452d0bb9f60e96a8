/**
 * Jest setup for the cluster tests: once a test file is done, the Services of the namespaces it created are
 * deleted, so their cluster IPs go back to the test cluster's range (see releaseServices).
 */
import { afterAll } from '@jest/globals';
import { releaseServices } from './cluster.js';

afterAll(releaseServices);
