// The browser suite (issues 8 and 13): suite.ts runs in headless Chromium and each of its checks is
// reported here as a test. Where Chromium is missing, the tests are skipped and say how to get it.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_CHECKS, type CheckResult } from './checks.js';
import { bundle, openPage, requireChromium, type BrowserPage } from './chromium.js';
import type { OneThreadReport } from './oneThread.js';

const missing = requireChromium('browser suite');

describe.skipIf(missing !== null)('in headless Chromium', () => {
  let results: CheckResult[] = [];
  let browser: BrowserPage | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    const script = await bundle(fileURLToPath(new URL('./suite.ts', import.meta.url)));
    browser = await openPage(script, errors, { isolated: true });
    results = await browser.page.evaluate(() => (globalThis as unknown as { runDlSuite(): Promise<CheckResult[]> }).runDlSuite());
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  it.each(BROWSER_CHECKS.map((name) => [name]))('%s', (name) => {
    const r = results.find((x) => x.name === name);
    expect(r, 'the suite ran this check').toBeDefined();
    expect(r!.ok, r!.detail).toBe(true);
    if (process.env["DL_SHOW_DETAIL"]) console.log(`${name}: ${r!.detail}`);
  });

  it('the page raised no errors', () => {
    expect(errors).toEqual([]);
  });
});

describe.skipIf(missing !== null)('in headless Chromium, a page that is not cross-origin isolated', () => {
  it('computes on one thread whatever setNumThreads says, and starts no worker (no SharedArrayBuffer)', async () => {
    const errors: string[] = [];
    const page = await openPage(await bundle(fileURLToPath(new URL('./oneThread.ts', import.meta.url))), errors);
    try {
      const report = await page.page.evaluate(() => (globalThis as unknown as { runOneThread(): OneThreadReport }).runOneThread());
      expect(report).toEqual({ isolated: false, defaultThreads: 1, workersStarted: 0, jobs: 0, ok: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
