// Browser-test harness: starts the real server binary on port 0 with a fresh SQLite file and
// the release build of the SPA, and drives the system Chromium through playwright-core.
// Environment (set by `cargo xtask test`): LINLI_SERVER_BIN, LINLI_DIST, LINLI_SCREENSHOTS,
// LINLI_CHROMIUM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through \`cargo xtask test\``);
  return value;
};

/**
 * Registers hooks that start a fresh server and browser before the tests of the enclosing
 * suite and stop them after; the returned object holds `server` and `browser` once started.
 */
export function useServerAndBrowser() {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

/** A running Linli server with the demo community: its URL and the unused binding codes it printed. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'linli-browser-'));
  const child = spawn(
    env('LINLI_SERVER_BIN'),
    ['--addr', '127.0.0.1:0', '--database-url', `sqlite://${join(dir, 'linli.db')}`, '--dist', env('LINLI_DIST'), '--seed-demo', 'true'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  let output = '';
  const codes = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      for (const m of output.matchAll(/binding code .*\((owner|member)\): ([0-9A-Z]{4}-[0-9A-Z]{4})/g)) {
        if (!codes.some((c) => c.code === m[2])) codes.push({ relation: m[1], code: m[2] });
      }
      const running = output.match(/is running at (http:\/\/\S+)/);
      if (running && output.includes('binding code')) {
        clearTimeout(timer);
        resolve(running[1]);
      }
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${output}`)); });
  });
  // Give stdout a moment to deliver the remaining code lines.
  await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    codes,
    databaseUrl: `sqlite://${join(dir, 'linli.db')}`,
    async stop() {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r).once('error', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: env('LINLI_CHROMIUM'),
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A phone-sized page that records console errors, uncaught exceptions and anything the
 * Content-Security-Policy blocked. `page.consoleErrors` lists them; tests assert it is empty.
 */
export async function newPhonePage(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
  // The app must run under its own policy: every blocked script, style or fetch is an error.
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP blocked ${e.blockedURI || 'inline'} (${e.violatedDirective})`)));
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => page.consoleErrors.push(`uncaught: ${e.message}`));
  return page;
}

/** Saves a full-page screenshot under target/screenshots/. */
export async function screenshot(page, name) {
  const dir = env('LINLI_SCREENSHOTS');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/// Waits until the element with this id has focus. Forms move focus to the first refused field on
/// the animation frame after the refusal is drawn, so the refusal's text can be on screen a frame
/// before the focus is; a one-shot read would race it. Fails naming what has focus instead.
export async function expectFocusOn(page, id, timeout = 5000) {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout });
  } catch {
    const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? null);
    assert.fail(`expected #${id} to have focus within ${timeout} ms; focus is on ${focused}`);
  }
}

/** 服务圈's coverage card: its heading is on the page, its body (below the list) is fetched when
 *  the page is scrolled near it. Waits for the body. */
export async function openCoverageCard(page) {
  const card = page.locator('.coverage-card');
  await card.waitFor({ state: 'attached' });
  await card.scrollIntoViewIfNeeded();
  await page.locator('.coverage-score').waitFor();
}

/** Shows 服务圈's map and waits until the walking areas are drawn on it. A phone opens the page
 *  on its list and fetches the map (its wasm module, Leaflet, the base layer) only when the map
 *  button is pressed; a wide screen shows the map beside the list from the start. */
export async function openCircleMap(page) {
  const mapButton = page.locator('.view-toggle button').first();
  await mapButton.waitFor({ state: 'attached' });
  if (await mapButton.isVisible()) await mapButton.click();
  await page.locator('path.walk-area-15').first().waitFor();
}
