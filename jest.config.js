/** Jest: ESM + @swc/jest. Unit tests need nothing; the rest share one real kube-apiserver + etcd per run. */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
  ],
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
};
export default {
  reporters: [
    'default',
    '<rootDir>/tests/reliability/support/figures-reporter.mjs',
    '<rootDir>/tests/support/summary-reporter.cjs',
  ],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/tests/unit'] },
    {
      ...common,
      displayName: 'cluster',
      setupFilesAfterEnv: ['<rootDir>/tests/support/release-services.ts'],
      roots: [
        '<rootDir>/tests/cluster',
        '<rootDir>/tests/journeys',
        '<rootDir>/tests/functions',
        '<rootDir>/tests/reliability',
        '<rootDir>/tests/cli',
        '<rootDir>/tests/dashboard',
        '<rootDir>/tests/differential',
      ],
    },
  ],
};
