// A page that is not cross-origin isolated (chromium.test.ts opens it so): it has no
// SharedArrayBuffer, so dl computes on one thread whatever setNumThreads says, and starts no worker.
import { eye, getNumThreads, matmul, randn, setNumThreads } from '@dl/autograd';
import { threadStats } from '../../src/kernels/wasm/threads.js';

/** What such a page reports after asking for two threads and running a product large enough to split. */
export interface OneThreadReport {
  isolated: boolean;
  defaultThreads: number;
  workersStarted: number;
  jobs: number;
  /** Whether a·I came out as a: the product still runs, on the calling thread. */
  ok: boolean;
}

function runOneThread(): OneThreadReport {
  const defaultThreads = getNumThreads();
  setNumThreads(2);
  const a = randn([520, 520]);
  const y = matmul(a, eye(520));
  const ok = y.data.every((v, i) => v === a.data[i]);
  const { workersStarted, jobs } = threadStats();
  return { isolated: crossOriginIsolated, defaultThreads, workersStarted, jobs, ok };
}

(globalThis as { runOneThread?: typeof runOneThread }).runOneThread = runOneThread;
