#!/usr/bin/env node
// Renders media/icon.svg to media/icon.png (128×128, the Marketplace icon) with Debian's chromium.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const svg = readFileSync(`${root}media/icon.svg`, 'utf8');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox'],
});
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(`<body style="margin:0;background:transparent">${svg}</body>`);
await page.screenshot({ path: `${root}media/icon.png`, omitBackground: true });
await browser.close();
