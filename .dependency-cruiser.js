// Architecture rules, checked in `npm test`. The domain and the calendar are pure:
// they may import each other and nothing with I/O, no framework, no adapter.
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain and libs/calendar must not import Nest, drivers, Node I/O or any other lib/app',
      severity: 'error',
      from: { path: '^libs/(domain|calendar)/' },
      to: {
        pathNot: ['^libs/(domain|calendar)/', '^node_modules/fast-check/'],
      },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$|\\.int-spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
