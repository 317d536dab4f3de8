// Lint for the bridge (typescript-eslint, type-aware) and the LWC bundles (Salesforce's
// LWC rules on TypeScript). Formatting is Prettier's job, not ESLint's.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'bridge/dist/**',
      'coverage/**',
      'harness/dist/**',
      'test-results/**',
      'force-app/main/default/lwc/**/*.js',
      '.sfdx/**',
    ],
  },
  {
    files: ['bridge/**/*.ts', 'harness/**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['bridge/test/**/*.ts', 'bridge/bench/**/*.ts', 'harness/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
);
