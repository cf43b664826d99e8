import { defineConfig } from 'vitest/config';

// Tests import every package from its TypeScript source (the `@taawun/source`
// export condition), so `vitest` needs no build; spawned CLI processes use `dist`.
export default defineConfig({
  resolve: { conditions: ['@taawun/source'] },
  ssr: { resolve: { conditions: ['@taawun/source'] } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'examples/*/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
