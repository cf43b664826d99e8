import { describe, expect, it } from 'vitest';
import { findChromium, launchChromium } from '../src/report/browser.js';

/**
 * The browser `npm install` brings: with Debian's Chromium out of the way
 * (`TAAWUN_CHROMIUM=npm`, as on a fresh machine without it), the Chromium
 * packaged in `@sparticuz/chromium` unpacks, launches and prints a PDF.
 */
describe('the packaged Chromium', () => {
  it('is chosen when TAAWUN_CHROMIUM=npm, launches headless and renders Arabic and Latin text', async () => {
    const env = { ...process.env, TAAWUN_CHROMIUM: 'npm' };
    expect((await findChromium(env)).source).toBe('npm');
    const browser = await launchChromium({ env });
    try {
      const tab = await browser.newPage();
      await tab.setContent('<p lang="ar" dir="rtl">المعهد العالي للقضاء</p><p>Institut supérieur de la magistrature</p>');
      expect(await tab.locator('p').allTextContents()).toEqual(['المعهد العالي للقضاء', 'Institut supérieur de la magistrature']);
      const pdf = await tab.pdf();
      expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('refuses a TAAWUN_CHROMIUM that is not there, naming it', async () => {
    await expect(findChromium({ TAAWUN_CHROMIUM: '/nowhere/chromium' })).rejects.toThrow('TAAWUN_CHROMIUM=/nowhere/chromium: no such file');
  });
});
