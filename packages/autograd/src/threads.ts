// The number of threads float32 matrix products run on (issue 8).
import { api, sig } from './checks/guard.js';
import * as K from './checks/kinds.js';
import { setThreadCount, threadCount } from './kernels/wasm/threads.js';

/**
 * Sets how many threads large float32 matrix products (matmul, linear) and convolutions run on, the
 * calling thread included, as PyTorch's `torch.set_num_threads`. The default is the number of cores,
 * or the environment variable DL_NUM_THREADS; 1 starts no worker (workers started before sleep until
 * the count goes back up). Results are the same bits for any
 * count. In Node the workers are worker_threads sharing one WebAssembly memory, which do not keep the
 * process alive. In a browser they are Workers, where the page is cross-origin isolated (served with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`, which
 * shared memory needs); elsewhere a page computes on one thread, whatever the count.
 * @example setNumThreads(2)
 */
export const setNumThreads = api(sig('setNumThreads', ['n', K.int({ min: 1 })]), function setNumThreads(n: number): void {
  setThreadCount(n);
});

/**
 * The thread count set by `setNumThreads` (the number of cores, or DL_NUM_THREADS, until set), as
 * PyTorch's `torch.get_num_threads`.
 * @example getNumThreads() // 2 on a two-core machine
 */
export const getNumThreads = api(sig('getNumThreads'), function getNumThreads(): number {
  return threadCount();
});
