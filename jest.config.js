/** One Jest run over every project of the workspace; TypeScript compiled by SWC (with decorator metadata). */
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target}`,
  ]),
);

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  moduleNameMapper,
  // hyparquet and hyparquet-writer (Parquet export) are ES modules only: compiled to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
  transform: {
    '/node_modules/(hyparquet|hyparquet-writer)/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 30000,
  // Every suite leaves a little behind in the process that runs it (its module registry and
  // the clients it opened): on two cores Jest ran all of them in band and a fresh-clone run
  // reached V8's 4 GB heap. A worker whose heap passes 1 GB after a suite is replaced (and
  // this also makes Jest use a worker when only one is available).
  workerIdleMemoryLimit: '1GB',
  // Real Kafka, Redis and PostgreSQL for the integration tests: found or started once per run.
  globalSetup: '<rootDir>/libs/testing/src/services/jest-global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/services/jest-global-teardown.ts',
  // reflect-metadata for class-validator; personal data protection on, with keys made per run.
  setupFiles: ['reflect-metadata', '<rootDir>/libs/testing/src/privacy/test-privacy-env.ts'],
};
