// Vitest configuration: unit tests (tests/unit), model tests (tests/model) and sync server tests
// (tests/server) run in Node;
// files that need a DOM opt in with `// @vitest-environment happy-dom`.
import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

export default defineConfig({
  plugins: [solid()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx', 'tests/model/**/*.test.ts', 'tests/server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
