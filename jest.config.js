// Jest runs in native ESM mode (node --experimental-vm-modules); ts-jest only strips types.
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

export default {
  // Integration tests wait for real processes and lifecycles; unit tests finish far sooner.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // The emulator's and the rig's own unit tests sit beside them, named *.unit.test.ts.
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/{emulator,rig}/**/*.unit.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/{emulator,rig}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$'],
      globalSetup: '<rootDir>/test/integration/support/global-setup.js',
      globalTeardown: '<rootDir>/test/integration/support/global-teardown.js',
    },
  ],
};
