/**
 * The directions imports may take between the project's folders, checked by
 * `npm run deps` (part of `npm test`). Every rule names what it forbids and says why;
 * a dependency counts whether it carries code or only types (`tsPreCompilationDeps`).
 *
 * The layers, lowest first:
 *   contracts/, lib/    the API contract; shared helpers. Neither imports anything of ours.
 *   reporting/          reads what runs wrote to disk and draws the pages; builds on lib/.
 *   reference-api/      the embedded server; builds on contracts/ and lib/.
 *   load/               the load suite; may use reporting/ (page helpers, run folders).
 *                       Inside it: engine/, client/ and scenarios/ below report/, which is
 *                       below cli/; bundle/ and k8s/ package it. No two of its folders may
 *                       import each other both ways.
 *   specs/, selfcheck/  the contract suite and its self-check.
 *   scripts/, test/     tools and tests: they may import the product, nothing imports them.
 */

/** Every folder (and root file) of ours, so that a rule can say "anything of ours but …". */
const OURS = '^(contracts|lib|load|reference-api|reporting|selfcheck|specs|scripts|test)/|^playwright[.]config[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A module must not reach itself through its imports (type-only imports included): a cycle makes load order matter and ' +
        'means neither side can be understood, tested or moved without the other. Move what both need into a module of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'Folders, too, must not import each other both ways (load/engine/ and load/client/, say): a folder is a layer, and two ' +
        'layers that need each other are one. Decide which one builds on the other and move the shared piece down.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'Every import must resolve to a file or an installed package; one that does not is either broken or invisible to the ' +
        'rules here, which would then pass without having looked.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'contracts-imports-only-itself',
      severity: 'error',
      comment:
        'contracts/ is the API contract every other part is checked against (schemas, OpenAPI, validator): it must stand on ' +
        'its own, so that nothing of the suite, the reference API or the load engine can leak into what "correct" means.',
      from: { path: '^contracts/' },
      to: { path: OURS, pathNot: '^contracts/' },
    },
    {
      name: 'lib-imports-only-itself',
      severity: 'error',
      comment:
        'lib/ holds the helpers every part shares (configuration, errors, redaction, child processes, Chromium): it is the ' +
        'bottom layer, so it imports nothing of ours and any folder may use it without pulling in another.',
      from: { path: '^lib/' },
      to: { path: OURS, pathNot: '^lib/' },
    },
    {
      name: 'reporting-reads-only-files',
      severity: 'error',
      comment:
        'reporting/ reads what runs wrote to disk and draws the pages; it declares the on-disk shapes it reads itself. It must ' +
        'not import the code that wrote them (load/, specs/, selfcheck/, reference-api/): load/ builds on reporting/, so an ' +
        'import back would be a loop, and the page must keep reading old run folders whatever the engine becomes.',
      from: { path: '^reporting/' },
      to: { path: '^(load|specs|selfcheck|reference-api)/' },
    },
    {
      name: 'reference-api-stands-alone',
      severity: 'error',
      comment:
        'reference-api/ is the server the suites are tested against, reached over HTTP only: it must not import the suites ' +
        '(specs/, selfcheck/), the load engine (load/) or the reports (reporting/), or a test could pass by sharing code ' +
        'with what it checks.',
      from: { path: '^reference-api/' },
      to: { path: '^(load|specs|selfcheck|reporting)/' },
    },
    {
      name: 'load-not-to-contract-suite',
      severity: 'error',
      comment:
        'load/ is a suite of its own that runs from a bundle without the contract suite: it must not import specs/ or ' +
        'selfcheck/ (what both need lives in contracts/ or lib/).',
      from: { path: '^load/' },
      to: { path: '^(specs|selfcheck)/' },
    },
    {
      name: 'nothing-imports-test',
      severity: 'error',
      comment: 'test/ checks the product; the product and the tools must never depend on a test or a fixture.',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'only-tests-import-scripts',
      severity: 'error',
      comment:
        'scripts/ are tools a person runs (benchmarks, code generation, the install check); the product must not depend on ' +
        'them. Only scripts/ itself and the tests that check the tools may import them.',
      from: { pathNot: '^(scripts|test)/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'load-engine-not-to-cli-report-packaging',
      severity: 'error',
      comment:
        'load/engine/ schedules arrivals, measures and judges a run; the command line (cli/), the reports (report/), the ' +
        'outputs (outputs/: observers the engine does not know), the bundle (bundle/) and the Kubernetes manifests (k8s/) ' +
        'are built on it, never the other way round.',
      from: { path: '^load/engine/' },
      to: { path: '^load/(cli|report|outputs|k8s|bundle)/' },
    },
    {
      name: 'load-client-and-scenarios-below-cli-and-report',
      severity: 'error',
      comment:
        'load/client/ (the HTTP client of the auth API) and load/scenarios/ (what a run does) are driven by the command ' +
        'line and described by the reports: they must not import load/cli/ or load/report/.',
      from: { path: '^load/(client|scenarios)/' },
      to: { path: '^load/(cli|report)/' },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a type import in a loop is still a loop.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: '^node_modules/' },
    // The code imports './x.ts' (allowImportingTsExtensions); the resolver finds such files as
    // written, and packages through their `exports` maps (csv-parse/sync, tsx/esm/api).
    enhancedResolveOptions: {
      extensions: ['.ts', '.mts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
