import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules', 'dist', '.venv', '.venv-*', '.fixturegen', 'generated', 'test/cases'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A switch over a union names every member and has no default, so adding a member fails
      // lint until every switch handles it; a switch over a plain string may keep a default.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        {
          allowDefaultCaseForExhaustiveSwitch: false,
          considerDefaultExhaustiveForUnions: false,
          requireDefaultForNonUnion: false,
        },
      ],
    },
  },
  {
    // Plain JavaScript (scripts, bench, this file) and the vitest config are outside tsconfig.json.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', 'vitest.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
