// The demo page end to end (issue 13): served as `pnpm run demo` serves it, opened in headless
// Chromium; it must train on WebGPU (SwiftShader's adapter) and on the CPU (the loss falls, the test
// accuracy rises), predict a digit drawn with the mouse, and leave a screenshot in examples/out/browser/demo.png.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../../../packages/autograd/test/browser/chromium.js';
import { startDemoServer } from '../serve.js';
import type { DemoState } from '../state.js';

const missing = requireChromium('demo test');

describe.skipIf(missing !== null)('the browser demo (examples/browser)', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  const pages: Page[] = [];
  const errors: string[] = [];
  const demo = (page: Page) => page.evaluate(() => (window as unknown as { dlDemo: DemoState }).dlDemo);
  const open = async (query: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1040, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}${query}`);
    pages.push(page);
    return page;
  };
  const trained = async (page: Page, steps: number): Promise<DemoState> => {
    await page.waitForFunction((n) => {
      const d = (window as unknown as { dlDemo: DemoState }).dlDemo;
      return d.error !== null || d.steps >= n;
    }, steps, { timeout: 240_000, polling: 500 });
    const d = await demo(page);
    expect(d.error).toBeNull();
    return d;
  };
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

  beforeAll(async () => {
    server = await startDemoServer({ trainSize: 2000, testSize: 500 });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  // Chromium's SwiftShader adapter runs WGSL on the CPU, about 1.3 s per step of this CNN: a short run.
  it('trains the CNN on WebGPU when the browser has an adapter: 40 steps, the loss falls, the test accuracy is far above chance', async () => {
    const page = await open('');
    const d = await trained(page, 40);
    expect(d.device).toBe('webgpu');
    expect(d.backend).toBe('webgpu');
    const first = mean(d.losses.slice(0, 5));
    expect(first).toBeGreaterThan(1.8); // about ln 10 before training
    expect(mean(d.losses.slice(35, 40))).toBeLessThan(0.7 * first);
    await page.waitForFunction(() => (window as unknown as { dlDemo: DemoState }).dlDemo.accuracy.length > 0, undefined, { timeout: 60_000 });
    expect((await demo(page)).accuracy[0]!.value).toBeGreaterThan(0.5); // chance is 0.1
  }, 300_000);

  it('trains on the wasm backend with ?device=cpu: 120 steps, and the test accuracy passes 80%', async () => {
    const page = await open('?device=cpu');
    const d = await trained(page, 120);
    expect(d.device).toBe('cpu');
    expect(d.backend).toBe('wasm');
    const first = mean(d.losses.slice(0, 10));
    expect(mean(d.losses.slice(110, 120))).toBeLessThan(0.6 * first);
    expect(d.accuracy[d.accuracy.length - 1]!.value).toBeGreaterThan(0.8); // about 0.9 seen
    await page.click('#pause');
  }, 300_000);

  it('predicts a digit drawn with the mouse on the GPU page, with class probabilities that sum to 1, and takes a screenshot', async () => {
    const page = pages[0]!;
    await page.click('#pause'); // a still page for the drawing and the screenshot
    const box = (await page.locator('#draw').boundingBox())!;
    // A "7": a bar across the top, then a stroke down to the lower left.
    await page.mouse.move(box.x + 80, box.y + 70);
    await page.mouse.down();
    for (const [x, y] of [[200, 70], [190, 110], [160, 170], [130, 230]] as const) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { dlDemo: DemoState }).dlDemo.prediction !== null, undefined, { timeout: 30_000 });
    const { prediction } = await demo(page);
    expect(prediction!.probabilities).toHaveLength(10);
    expect(Math.abs(prediction!.probabilities.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-5);
    expect(prediction!.digit).toBe(prediction!.probabilities.indexOf(Math.max(...prediction!.probabilities)));
    expect(await page.textContent('#guess')).toBe(String(prediction!.digit));
    const out = fileURLToPath(new URL('../../out/browser/', import.meta.url));
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: `${out}demo.png` });
    expect(errors).toEqual([]);
  }, 60_000);
});
