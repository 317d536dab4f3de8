// Browser end-to-end tests: the built harness (npm run build:harness) in Debian chromium via
// playwright-core, against a real bridge started in-process. Separate from jest.config.js
// because they need chromium and a build; `npm run test:e2e` runs them.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'e2e',
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/harness/test'],
  testMatch: ['<rootDir>/harness/test/**/*.e2e.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/harness/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60_000,
  maxWorkers: 1,
};
