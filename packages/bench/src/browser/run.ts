// `pnpm bench --browser` (issue 13): bundles page.ts with esbuild, serves it (and tfjs-backend-wasm's
// binaries) on 127.0.0.1, runs it in headless Chromium (Debian's chromium through playwright-core, WebGPU
// on; through SwiftShader where there is no GPU) and prints the figures with ratios.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { PageCell, PageConfig, PageResult } from './page.js';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

async function bundlePage(): Promise<string> {
  const entry = fileURLToPath(new URL('../../src/browser/page.ts', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', target: 'es2022', platform: 'browser', logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

/** Runs the page's bench in Chromium and returns what it measured. */
async function measure(config: PageConfig, progress: (s: string) => void): Promise<PageResult> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`bench --browser: no Chromium at ${chromiumPath}; install Debian's with 'apt-get install -y chromium' or set CHROMIUM_PATH`);
  }
  progress('bundling the page');
  const script = await bundlePage();
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/bench.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(script);
    } else if (url.startsWith('/tfjs-wasm/') && /^[\w.-]+\.wasm$/.test(url.slice(11))) {
      res.setHeader('content-type', 'application/wasm');
      res.end(readFileSync(join(wasmDir, url.slice(11))));
    } else {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><meta charset="utf-8"><title>dl bench</title><script src="/bench.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    progress(`timing in Chromium ${browser.version()}: ${config.frameworks.join(', ')} (a few minutes on SwiftShader)`);
    page.setDefaultTimeout(0);
    const result = await page.evaluate((c) => (globalThis as unknown as { runBrowserBench(c: PageConfig): Promise<PageResult> }).runBrowserBench(c), config);
    if (errors.length > 0) result.checks.push(...errors.map((e) => `page error: ${e}`));
    return { ...result, adapter: `${result.adapter}; Chromium ${browser.version()}` };
  } finally {
    await browser.close();
    server.close();
  }
}

function cellText(c: PageCell | undefined, base: PageCell | undefined, value: (ms: number) => number): string {
  if (c === undefined) return 'not run';
  if ('reason' in c) return 'n/a';
  const v = value(c.ms);
  const text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  if (base === undefined || !('ms' in base) || base === c) return text;
  return `${text} (${(c.ms / base.ms).toFixed(2)}x)`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => '  ' + r.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('   ');
  return [line(header), ...rows.map(line)];
}

/**
 * Times the workloads in Chromium and prints them: matmul GFLOP/s and training-step milliseconds, each
 * with its ratio to dl on the same kind of device (tfjs-webgpu against dl-webgpu, tfjs-wasm against dl-wasm).
 */
export async function browserBench(config: PageConfig, progress: (s: string) => void): Promise<void> {
  const r = await measure(config, progress);
  const cols = config.frameworks;
  const baseOf = (fw: string, key: string): PageCell | undefined => r.cells[fw.endsWith('webgpu') ? 'dl-webgpu' : 'dl-wasm']?.[key];
  const out: string[] = ['', `dl bench --browser: ${r.adapter}`];
  out.push('Each figure: the median of >= 5 samples over >= ' + `${config.minTimeMs} ms after a warm-up; a GPU run includes reading its result back.`);
  out.push('Ratios: (Nx) = peer time / dl time on the same kind of device (webgpu or wasm); above 1 means dl is faster.');
  if (/swiftshader/i.test(r.adapter)) {
    out.push('The WebGPU adapter is SwiftShader, which runs WGSL on the CPU: its figures only show that the GPU path works,');
    out.push('not how fast it is. On a machine with a GPU the same command gives the real figures.');
  }
  if (config.workloads.includes('matmul')) {
    out.push('', 'matmul, float32, square n x n, GFLOP/s (higher is better)');
    out.push(...table(['n', ...cols], config.sizes.map((n) => [String(n), ...cols.map((fw) => cellText(r.cells[fw]?.[`matmul ${n}`], baseOf(fw, `matmul ${n}`), (ms) => (2 * n ** 3) / (ms * 1e6)))])));
  }
  const steps = [['mlp', 'MLP 784-128-10, batch 64'], ['conv', 'conv 3x3 1->8, relu, maxpool 2, linear 1568->10, batch 32']].filter(([k]) => config.workloads.includes(k!));
  if (steps.length > 0) {
    out.push('', 'training step, ms (lower is better): forward, cross-entropy, backward, SGD update, loss read back');
    out.push(...table(['workload', ...cols], steps.map(([k, label]) => [label!, ...cols.map((fw) => cellText(r.cells[fw]?.[k!], baseOf(fw, k!), (ms) => ms))])));
  }
  const missing = cols.flatMap((fw) => Object.entries(r.cells[fw] ?? {}).flatMap(([k, c]) => ('reason' in c ? [`  ${fw}, ${k}: ${c.reason}`] : [])));
  if (missing.length > 0) out.push('', 'Not measured:', ...missing);
  if (r.checks.length > 0) out.push('', 'Checks (same inputs and initial weights in every framework):', ...r.checks.map((c) => `  ${c}`));
  console.log(out.join('\n'));
}
