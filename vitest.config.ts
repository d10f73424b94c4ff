import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import the packages by name; point those names at the TypeScript sources so no build is needed.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@dl\/autograd\/testing$/, replacement: src('./packages/autograd/src/testing/index.ts') },
      { find: /^@dl\/autograd$/, replacement: src('./packages/autograd/src/index.ts') },
      { find: /^@dl\/nn$/, replacement: src('./packages/nn/src/index.ts') },
      { find: /^@dl\/optim$/, replacement: src('./packages/optim/src/index.ts') },
      { find: /^@dl\/data$/, replacement: src('./packages/data/src/index.ts') },
      { find: /^@dl\/io$/, replacement: src('./packages/io/src/index.ts') },
      { find: /^@dl\/nn\/testing$/, replacement: src('./packages/nn/src/testing/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    // Node 20 has WebAssembly relaxed SIMD behind this flag (Node 22+ and Chromium have it on): the matmul
    // kernel uses its fused multiply-add where the runtime accepts it, and the tests cover both kernels.
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
