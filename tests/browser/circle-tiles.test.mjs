// A deployment with a raster tile server: the map draws its tiles under the community's own
// layers and shows the attribution the licence asks for. (The tile here is a file the server
// itself serves, so the test needs no internet.)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newPhonePage, openCircleMap, useServerAndBrowser } from './harness.mjs';

// Read by the server this file starts (the harness passes the environment on).
process.env.LINLI_TILE_URL = '/leaflet/images/layers.png?z={z}&x={x}&y={y}';
process.env.LINLI_TILE_ATTRIBUTION = 'Tiles &copy; Linli test tiles';

describe('the service circle with a tile server configured', () => {
  const linli = useServerAndBrowser();

  it('draws the tiles with their attribution', async () => {
    const page = await newPhonePage(linli.browser);
    await page.goto(`${linli.server.url}/circle`);
    await openCircleMap(page);
    await page.locator('img.leaflet-tile').first().waitFor({ state: 'attached' });
    const src = await page.locator('img.leaflet-tile').first().getAttribute('src');
    assert.match(src, /^\/leaflet\/images\/layers\.png\?z=\d+&x=\d+&y=\d+$/);
    assert.match(await page.locator('.leaflet-control-attribution').innerText(), /Tiles © Linli test tiles/);
    assert.deepEqual(page.consoleErrors, []);
  });
});
