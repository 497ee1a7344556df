// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'console/dist/', 'data/', '.tmp/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Leading underscores mark values that are destructured away on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  // ImapFlow itself is loaded through src/connectors/imap/client.ts only: quiet-fetch-log.ts must run first.
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['src/connectors/imap/client.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'imapflow',
              message: "Import ImapFlow from src/connectors/imap/client.ts (types may come from 'imapflow').",
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: ['imapflow/*'],
              message: 'Only src/connectors/imap/client.ts and quiet-fetch-log.ts may load imapflow modules.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^imapflow(\\/|$)/]',
          message: 'Import ImapFlow from src/connectors/imap/client.ts, not import(imapflow).',
        },
      ],
    },
  },
  // The console is a browser app: browser globals, and the rules of hooks (including the React Compiler's
  // checks for state set during render, refs read during render, and impure renders).
  {
    files: ['console/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', HTMLElement: 'readonly' },
    },
  },
);
