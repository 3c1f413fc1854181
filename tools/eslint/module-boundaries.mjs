import nx from '@nx/eslint-plugin';

const ALL_LIBS = ['type:domain', 'type:wire', 'type:adapter', 'type:application', 'type:interface'];

/**
 * Which project may import which, by the `type:*` tag in each project.json. The domain
 * depends on nothing; adapters on the domain and other adapters; the application layer on
 * both; the Nest interface on all three; apps on any library; no library on an app.
 */
export const DEPENDENCY_RULES = [
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:wire', onlyDependOnLibsWithTags: ['type:domain', 'type:wire'] },
  {
    sourceTag: 'type:adapter',
    onlyDependOnLibsWithTags: ['type:domain', 'type:wire', 'type:adapter'],
  },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:domain', 'type:wire', 'type:adapter', 'type:application'],
  },
  { sourceTag: 'type:interface', onlyDependOnLibsWithTags: ALL_LIBS },
  { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:domain', 'type:wire', 'type:adapter'] },
  { sourceTag: 'type:testing', notDependOnLibsWithTags: ['type:app'] },
  { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app'] },
];

/** Tests may also use the testing library (the domain's may not: it stays pure). */
const SPEC_RULES = DEPENDENCY_RULES.map((rule) =>
  rule.onlyDependOnLibsWithTags && rule.sourceTag !== 'type:domain'
    ? { ...rule, onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:testing'] }
    : rule,
);

const SPECS = ['**/*.spec.ts', '**/*.spec-helper.ts', '**/*.fixtures.ts'];

const rule = (depConstraints) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    { enforceBuildableLibDependency: false, allowCircularSelfDependency: false, depConstraints },
  ],
});

/** The flat-config blocks that enforce the rules above (also used by their own test). */
export const moduleBoundaries = [
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: SPECS,
    plugins: { '@nx': nx },
    rules: rule(DEPENDENCY_RULES),
  },
  {
    files: SPECS.map((s) => s.replace('**/', '{apps,libs}/**/')),
    plugins: { '@nx': nx },
    rules: rule(SPEC_RULES),
  },
];
