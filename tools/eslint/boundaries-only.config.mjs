// Only the module-boundary rules: what libs/testing/src/lint/module-boundaries.spec.ts lints with.
import tseslint from 'typescript-eslint';
import { moduleBoundaries } from './module-boundaries.mjs';

export default [
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
  ...moduleBoundaries,
];
