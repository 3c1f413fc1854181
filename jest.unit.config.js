/**
 * The fast tier: every spec that needs no service (no Kafka, Redis, PostgreSQL, no child
 * process). Files that need one end in `.integration.spec.ts` or `.e2e.spec.ts`.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'],
  globalSetup: undefined,
  globalTeardown: undefined,
  // No service to share the machine with: every core runs specs (Jest's default leaves one idle).
  maxWorkers: '100%',
};
