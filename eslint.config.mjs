// One lint config for the repo. The architecture's import rules live in test/architecture.test.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.e2e/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      // AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs), not TypeScript.
      'engine/kernels/wasm/assembly/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
