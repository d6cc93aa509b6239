// Three kinds of test, told apart by file name (see docs/testing.md):
//   *.spec.ts      unit: pure code, no I/O
//   *.int-spec.ts  integration: real SQLite files, PostgreSQL, Redis
//   *.e2e-spec.ts  end to end over real HTTP, under test/
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }] },
  rootDir: __dirname,
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/jest/int-timeout.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/jest/e2e-timeout.ts'] },
  ],
};
