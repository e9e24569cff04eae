// `cargo xtask bench map`: how long the 服务圈 page takes to show its map on the demo data,
// in headless Chromium against the release build and a real server on loopback.
//
// Each load is a fresh browser context (cold HTTP cache, as on a first visit) of a phone-sized
// page. Measured from navigation start (performance.now() = 0) to:
//   - first contentful paint (the static shell),
//   - the first facility marker on the map,
//   - the 15-minute walking area drawn (the server's walk has arrived and Leaflet drew it).
// Run plain and with the CPU slowed 4× through the DevTools protocol (a cheap phone).
// Environment as for the browser tests; LOADS (default 15) loads per setting.

import { launchBrowser, startServer } from '../harness.mjs';

const loads = Number(process.env.LOADS ?? 15);

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function once(browser, url, cpuSlowdown) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  if (cpuSlowdown > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
  }
  await page.addInitScript(() => {
    window.__firstMarker = null;
    window.__areaDrawn = null;
    new MutationObserver(() => {
      if (window.__firstMarker === null && document.querySelector('.facility-marker')) {
        window.__firstMarker = performance.now();
      }
      if (window.__areaDrawn === null && document.querySelector('path.walk-area-15')) {
        window.__areaDrawn = performance.now();
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(`${url}/circle`);
  await page.locator('path.walk-area-15').first().waitFor({ timeout: 60_000 });
  await page.locator('.facility-marker').first().waitFor({ timeout: 60_000 });
  const times = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    marker: window.__firstMarker,
    area: window.__areaDrawn,
  }));
  await context.close();
  return times;
}

const server = await startServer();
const browser = await launchBrowser();
try {
  await once(browser, server.url, 1); // warm the server (its walking graph loads on first use)
  console.log(`map first render, ${loads} cold loads each, phone viewport (390×844)`);
  console.log('setting          | measure               |   p50 ms |   p90 ms |   max ms');
  for (const slowdown of [1, 4]) {
    const runs = [];
    for (let i = 0; i < loads; i += 1) runs.push(await once(browser, server.url, slowdown));
    for (const [key, label] of [['fcp', 'first contentful paint'], ['marker', 'first marker'], ['area', 'walking areas drawn']]) {
      const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
      const f = (v) => v.toFixed(0).padStart(8);
      console.log(`${`CPU ${slowdown}×`.padEnd(16)} | ${label.padEnd(21)} | ${f(quantile(sorted, 0.5))} | ${f(quantile(sorted, 0.9))} | ${f(sorted[sorted.length - 1])}`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
