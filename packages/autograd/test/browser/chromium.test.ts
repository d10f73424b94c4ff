// The browser suite (issues 8 and 13): suite.ts runs in headless Chromium and each of its checks is
// reported here as a test. Where Chromium is missing, the tests are skipped and say how to get it.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_CHECKS, type CheckResult } from './checks.js';
import { bundle, openPage, requireChromium, type BrowserPage } from './chromium.js';

const missing = requireChromium('browser suite');

describe.skipIf(missing !== null)('in headless Chromium', () => {
  let results: CheckResult[] = [];
  let browser: BrowserPage | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    const script = await bundle(fileURLToPath(new URL('./suite.ts', import.meta.url)));
    browser = await openPage(script, errors);
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
