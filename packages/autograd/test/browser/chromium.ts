// Runs code in headless Chromium for the browser tests: bundles an entry with esbuild (the @dl
// packages resolved to their TypeScript sources), serves it on 127.0.0.1 (WebGPU needs a secure
// context, which localhost is), and drives Debian's chromium through playwright-core.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** Where the browser is looked for: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(chromiumPath)
    ? null
    : `no Chromium at ${chromiumPath}: install Debian's with 'apt-get install -y chromium' (.ci/run does) or set CHROMIUM_PATH`;
}

/**
 * Declares the test that Chromium is there where CI requires it (DL_REQUIRE_BROWSER=1: a missing browser
 * is then a failing test, not a skip), and returns why the browser tests cannot run here (null when they
 * can); elsewhere a missing browser skips them, and `what` is said to be skipped with the reason.
 */
export function requireChromium(what: string): string | null {
  const missing = chromiumMissing();
  const required = process.env['DL_REQUIRE_BROWSER'] === '1';
  if (missing !== null && !required) console.warn(`${what} skipped: ${missing}`);
  it.runIf(required)('Chromium is installed (DL_REQUIRE_BROWSER=1)', () => {
    expect(missing).toBeNull();
  });
  return missing;
}

// The @dl packages by name, as the vitest config maps them: to their sources, so nothing needs building.
const packages: Record<string, string> = {
  '@dl/autograd/testing': 'packages/autograd/src/testing/index.ts',
  '@dl/autograd': 'packages/autograd/src/index.ts',
  '@dl/nn/testing': 'packages/nn/src/testing/index.ts',
  '@dl/nn': 'packages/nn/src/index.ts',
  '@dl/optim': 'packages/optim/src/index.ts',
  '@dl/data': 'packages/data/src/browser.ts',
  '@dl/io': 'packages/io/src/browser.ts',
};
const dlSources: Plugin = {
  name: 'dl-sources',
  setup(b) {
    b.onResolve({ filter: /^@dl\// }, (args) => {
      const file = packages[args.path];
      return file === undefined ? { errors: [{ text: `unknown package ${args.path}` }] } : { path: `${root}${file}` };
    });
  },
};

/**
 * Headless Chromium from `chromiumPath`, with WebGPU on (through SwiftShader where there is no GPU).
 * Also used by the demo page's end-to-end test.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // --no-sandbox: CI runs as root. The rest keep a closed network quiet and turn WebGPU on without a GPU.
    args: ['--no-sandbox', '--js-flags=--expose-gc', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** The entry file bundled for the browser (one ES2022 script, every import inlined). */
export async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry], bundle: true, write: false, format: 'iife', target: 'es2022', platform: 'browser',
    plugins: [dlSources], logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** A page in headless Chromium with `script` loaded, and what closes it all. */
export interface BrowserPage {
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium (WebGPU on, through SwiftShader where there is no GPU), serves a blank page
 * that loads `script`, and opens it. Page errors and console errors are collected in `errors`. With
 * `isolated`, the page is served cross-origin isolated (COOP same-origin, COEP require-corp), which
 * gives it SharedArrayBuffer and so worker threads.
 */
export async function openPage(script: string, errors: string[] = [], { isolated = false }: { isolated?: boolean } = {}): Promise<BrowserPage> {
  const server: Server = createServer((req, res) => {
    if (isolated) {
      res.setHeader('cross-origin-opener-policy', 'same-origin');
      res.setHeader('cross-origin-embedder-policy', 'require-corp');
    }
    if (req.url === '/suite.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(script);
    } else {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><meta charset="utf-8"><title>dl</title><script src="/suite.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const b = browser;
    return { page, close: async () => { await b.close(); server.close(); } };
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
}
