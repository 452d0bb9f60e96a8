/**
 * The seeded PRNG (mulberry32) random fault runs draw from, so a run is reproducible from its seed. It is the
 * sandbox's traffic generator, not a copy of it.
 */
export { seededRandom as mulberry32 } from '../../../shared/runtimes/sandbox/traffic.js';
