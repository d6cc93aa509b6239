// Architecture rules, checked by `npm test` over apps/, libs/, test/ and bench/ (docs/architecture.md draws
// them). Each rule names what it protects; test/architecture.e2e-spec.ts shows each one failing on a probe.
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Which libs each lib may import (its layer and those below it). The pure core (calendar, domain,
 * reference-data) has no I/O; adapters and read sides sit above it; the platform composes them; the
 * application layer holds the use cases; apps compose everything. A lib missing here fails the rules.
 */
const LIB_LAYERS = {
  calendar: [],
  domain: ['calendar'],
  'reference-data': ['calendar'],
  'event-store': [],
  'personal-data': [],
  'read-models': ['calendar', 'domain', 'event-store', 'reference-data'],
  alerts: ['calendar', 'domain', 'event-store', 'read-models'],
  audit: ['domain', 'event-store', 'read-models'],
  platform: ['event-store', 'read-models', 'alerts', 'audit', 'personal-data'],
  application: ['calendar', 'domain', 'event-store', 'reference-data', 'platform'],
  'province-data': ['calendar', 'domain', 'event-store', 'reference-data', 'application'],
  // Test fixtures: may build on anything but apps.
  testing: [
    'calendar',
    'domain',
    'event-store',
    'reference-data',
    'personal-data',
    'read-models',
    'alerts',
    'audit',
    'platform',
    'application',
    'province-data',
  ],
};

const LIBS = readdirSync(join(__dirname, 'libs')).filter((l) => existsSync(join(__dirname, 'libs', l, 'package.json')));
const TEST_FILE = '(\\.spec\\.ts|\\.int-spec\\.ts|\\.e2e-spec\\.ts)$';
/** Code that only tests and benchmarks run: spec files, test/, bench/, testing folders and the fixtures lib. */
const TEST_CODE = [TEST_FILE, '^test/', '^bench/', '/testing/', '^libs/testing/'];

const layering = LIBS.map((lib) => {
  const allowed = LIB_LAYERS[lib];
  if (!allowed) {
    return {
      name: 'lib-layering',
      comment: `libs/${lib} has no place in LIB_LAYERS (.dependency-cruiser.js): give it one, and draw it in docs/architecture.md`,
      severity: 'error',
      from: { path: `^libs/${lib}/` },
      to: { path: '.' },
    };
  }
  const ok = [lib, ...allowed];
  return {
    name: 'lib-layering',
    comment: `libs/${lib} may import only ${allowed.length ? allowed.map((l) => `libs/${l}`).join(', ') : 'no other lib'} (docs/architecture.md)`,
    severity: 'error',
    from: { path: `^libs/${lib}/`, pathNot: TEST_CODE },
    to: { path: '^libs/', pathNot: ok.map((l) => `^libs/${l}/`) },
  };
});

const publicEntries = LIBS.map((lib) => ({
  name: 'lib-through-its-entry',
  comment: `outside libs/${lib}, import it as @motcua/${lib} (its src/index.ts), never a file inside it`,
  severity: 'error',
  from: { pathNot: `^libs/${lib}/` },
  to: { path: `^libs/${lib}/`, pathNot: `^libs/${lib}/src/index\\.ts$` },
}));

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain, libs/calendar and libs/reference-data import no framework, driver, Node I/O or lib outside the pure core',
      severity: 'error',
      from: { path: '^libs/(domain|calendar|reference-data)/', pathNot: TEST_FILE },
      to: { pathNot: ['^libs/(domain|calendar|reference-data)/'] },
    },
    {
      name: 'pure-specs',
      comment: 'the pure core is tested without I/O: its specs may add fast-check and the fixtures lib only',
      severity: 'error',
      from: { path: `^libs/(domain|calendar|reference-data)/.*${TEST_FILE}` },
      to: { pathNot: ['^libs/(domain|calendar|reference-data|testing)/', '^node_modules/fast-check/'] },
    },
    {
      name: 'no-sibling-app',
      comment: 'an app never imports another app: what two apps share lives in a lib (libs/platform, libs/application, ...)',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'production-code-imports-no-testing',
      comment: 'fixtures and test helpers (testing/ folders, libs/testing) are for tests and benchmarks only',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: ['/testing/', '^libs/testing/'] },
    },
    ...layering,
    ...publicEntries,
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^bench/results/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // The workspace packages (@motcua/<lib>) resolve through their `exports` to their TypeScript sources.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'require', 'default'],
      mainFields: ['types', 'main'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
