// `pnpm run demo`: serves the demo page on localhost. The page's code is bundled from app.ts by
// esbuild at start (the @dl packages from their TypeScript sources), and the digits come from
// @dl/data's MNIST loader, packed into one small binary (digits.ts).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadMnist } from '@dl/data';
import { encodeDigits } from './digits.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// The page's files: next to this file when it runs from source (tests), in ../../browser from examples/dist.
const dir = existsSync(here('./index.html')) ? here('./') : here('../../browser/');
const source = (name: string) => `${dir}${name}`;
const repo = `${dir}../../`;

// The page imports @dl/autograd, @dl/nn, @dl/optim and @dl/data (its browser entry): bundled from their
// sources, so no build is needed.
const entries: Record<string, string> = {
  '@dl/autograd': 'packages/autograd/src/index.ts',
  '@dl/data': 'packages/data/src/browser.ts',
  '@dl/nn': 'packages/nn/src/index.ts',
  '@dl/optim': 'packages/optim/src/index.ts',
};
const dlSources: Plugin = {
  name: 'dl-sources',
  setup(b) {
    b.onResolve({ filter: /^@dl\// }, (args) => {
      const file = entries[args.path];
      return file === undefined ? { errors: [{ text: `the demo page cannot import ${args.path}` }] } : { path: `${repo}${file}` };
    });
  },
};

/** Options of `startDemoServer`. */
export interface DemoServerOptions {
  /** The port (0 picks a free one). */
  port?: number;
  /** Training digits sent to the page (4000 by default) and test digits (1000). */
  trainSize?: number;
  testSize?: number;
}

/** Builds the page's script and the digits, then serves them; resolves to the page's URL and a close function. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const bundled = await build({
    entryPoints: [source('app.ts')], bundle: true, write: false, format: 'esm', target: 'es2022', platform: 'browser', logLevel: 'silent',
    plugins: [dlSources],
  });
  const app = bundled.outputFiles[0]!.text;
  const html = readFileSync(source('index.html'));
  const mnist = loadMnist({ trainSize: options.trainSize ?? 4000, testSize: options.testSize ?? 1000, seed: 0 });
  const split = (s: typeof mnist.train) => ({ images: s.images.data as Float32Array, labels: s.labels.data });
  const digits = encodeDigits(split(mnist.train), split(mnist.test));
  const files: Record<string, [string, Uint8Array | string]> = {
    '/': ['text/html; charset=utf-8', html],
    '/app.js': ['text/javascript; charset=utf-8', app],
    '/digits.bin': ['application/octet-stream', digits],
  };
  const server: Server = createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (file === undefined) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', file[0]);
    // Cross-origin isolation gives the page SharedArrayBuffer, so dl's CPU path runs on worker threads.
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    res.end(file[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

// Run directly (`pnpm run demo [--port 8080]`): serve until interrupted.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo: --port must be an integer from 0 to 65535, got '${process.argv[at + 1]}'`);
    process.exit(2);
  }
  const { url } = await startDemoServer({ port });
  console.log(`dl demo: open ${url} in a browser (Ctrl-C stops the server)`);
}
