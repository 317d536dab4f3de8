// One jest run for the whole repo: the bridge (Node, ts-jest) and the utility-bar LWC
// (sfdx-lwc-jest). Browser end-to-end tests live in their own config (jest.e2e.config.js)
// because they need chromium and a built harness; `npm test` runs both.
const { jestConfig: lwcJestConfig } = require('@salesforce/sfdx-lwc-jest/config');

/** @type {import('jest').Config} */
module.exports = {
  // A guard against a hang, not a speed limit: tests wait for conditions, and on a busy 2-core
  // machine starting a bridge (or 300 sockets) took longer than Jest's 5 s default. A global
  // option: inside a project Jest ignores it (with an "Unknown option" warning).
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'bridge',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/bridge'],
      testMatch: ['<rootDir>/bridge/test/**/*.test.ts'],
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
      },
      moduleFileExtensions: ['ts', 'js', 'json'],
      collectCoverageFrom: ['<rootDir>/bridge/src/**/*.ts'],
    },
    {
      ...lwcJestConfig,
      displayName: 'lwc',
      rootDir: __dirname,
      roots: ['<rootDir>/force-app'],
      testMatch: ['<rootDir>/force-app/**/__tests__/**/*.test.ts'],
      moduleNameMapper: {
        // The same LWC 9 engine the browser harness and the org build use. sfdx-lwc-jest pins its
        // own LWC 8 engine, but its transformer compiles templates with the hoisted 9.x compiler:
        // an 8.x engine then warns on every template that the versions do not match. The 9.x
        // packages are ESM first; their CommonJS builds are what Jest loads.
        '^(lwc|@lwc/engine-dom)$': '<rootDir>/node_modules/@lwc/engine-dom/dist/index.cjs',
        '^@lwc/synthetic-shadow$': '<rootDir>/node_modules/@lwc/synthetic-shadow/dist/index.cjs',
        '^lightning/platformUtilityBarApi$':
          '<rootDir>/force-app/test/jest-mocks/lightning/platformUtilityBarApi',
        '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
        // Test helpers shared by the component tests: import from 'test/lwc-test-utils'.
        '^test/(.*)$': '<rootDir>/force-app/test/$1',
      },
      setupFilesAfterEnv: [
        ...lwcJestConfig.setupFilesAfterEnv,
        '<rootDir>/force-app/test/jest-setup.js',
      ],
      collectCoverageFrom: ['<rootDir>/force-app/main/default/lwc/**/*.ts'],
    },
  ],
};
