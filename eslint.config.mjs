// Lint for the bridge (typescript-eslint, type-aware) and the LWC bundles (Salesforce's
// LWC rules on TypeScript). Formatting is Prettier's job, not ESLint's.
import tseslint from 'typescript-eslint';
import lwcRecommended from '@salesforce/eslint-config-lwc/recommended.js';

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
      parserOptions: {
        project: ['./tsconfig.json', './harness/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
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
  {
    // LWC bundles: Salesforce's LWC rules, parsed by typescript-eslint (the Babel parser of
    // recommended-ts gives no-undef / no-unused-vars false positives on types).
    files: ['force-app/**/*.ts'],
    extends: [...lwcRecommended, ...tseslint.configs.recommended],
    languageOptions: { parser: tseslint.parser, parserOptions: { requireConfigFile: false } },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      'no-undef': 'off',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // lwc, lightning/*, @salesforce/* and c/* resolve inside the platform, not node_modules.
      'import/no-unresolved': 'off',
      'import/named': 'off',
      'import/namespace': 'off',
      'import/default': 'off',
      'import/no-named-as-default': 'off',
      'import/no-named-as-default-member': 'off',
      // The compiled .js keeps them (target ESNext), and Salesforce's LWC compiler refuses them
      // at deploy; scripts/check-package.mjs checks the built files too.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[raw=/^[0-9.][^"\']*_/]',
          message: 'No numeric separators in components: write 30000, not 30_000.',
        },
      ],
    },
  },
  {
    // Unit tests of the LWC bundles drive timers and fake sockets directly.
    files: ['force-app/**/__tests__/**/*.ts', 'force-app/test/**/*.ts'],
    rules: {
      '@lwc/lwc/no-async-operation': 'off',
      '@lwc/lwc/prefer-custom-event': 'off',
      // Tests never reach the org: numeric separators are fine there.
      'no-restricted-syntax': 'off',
    },
  },
);
