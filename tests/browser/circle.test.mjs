// The 15-minute service circle: the map drawn from the community's own network, the walking
// areas, the filter, the list sorted by minutes, a facility's page, the coverage card against
// the API's own answer, "missing near me", and staff keeping the facilities current.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newPhonePage, openCircleMap, openCoverageCard, screenshot, useServerAndBrowser } from './harness.mjs';
import { LoginPage, Shell } from './pages.mjs';

const OWNER = { phone: '13900000001', password: 'linli2026' };
const STAFF = { phone: '13800000002', password: 'linli2026' };
const ELDERLY_CARE = ['elderly_care_home', 'elderly_day_care'];

class CirclePage extends Shell {
  async open(path = '/circle') {
    await super.open(path);
    // The walking areas are drawn once the map's module, Leaflet, the network and the
    // server's walk have come.
    await openCircleMap(this.page);
  }

  chip(name) {
    return this.page.getByRole('group', { name: /设施类别|Kinds of facility/ }).getByRole('button', { name });
  }

  /** The start the page walks from, as its facility links carry it. */
  async start() {
    const href = await this.page.locator('.facility-list a[href^="/circle/facilities/"]').first().getAttribute('href');
    const query = new URL(href, this.baseUrl).searchParams;
    const [lat, lon] = query.get('from').split(',').map(Number);
    return { lat, lon, speed: Number(query.get('speed')), start: query.get('start') };
  }

  async api(path) {
    return this.page.evaluate(async (p) => {
      const response = await fetch(`/api/v1${p}`);
      return { status: response.status, body: await response.json() };
    }, path);
  }

  async walk({ lat, lon }, speed) {
    const { status, body } = await this.api(`/walk?lat=${lat}&lon=${lon}&speed=${speed}`);
    assert.equal(status, 200);
    return body;
  }

  /**
   * The markers on the map: a place alone (count 1) or a group drawn as one (its count), each
   * with its box on screen.
   */
  async markers() {
    return this.page.locator('.facility-marker, .facility-group').evaluateAll((icons) => icons.map((icon) => {
      const box = icon.getBoundingClientRect();
      return {
        count: icon.classList.contains('facility-group') ? Number(icon.textContent) : 1,
        title: icon.getAttribute('title'),
        box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
      };
    }));
  }

  /** The zoom the map has come to rest at (and grouped its markers for). */
  async zoom() {
    await this.page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim'));
    return Number(await this.page.locator('.circle-map').getAttribute('data-zoom'));
  }

  /** Waits until the map rests at `zoom` with its markers drawn for it. */
  async settleAt(zoom) {
    await this.page.waitForFunction((z) => document.querySelector('.circle-map')?.dataset.zoom === String(z)
      && !document.querySelector('.leaflet-zoom-anim'), zoom);
  }

  /** Asserts that no marker covers any part of another (each is a whole target for a finger). */
  async assertNoMarkerCovers() {
    const markers = await this.markers();
    for (const [i, a] of markers.entries()) {
      for (const b of markers.slice(i + 1)) {
        const apart = a.box.right <= b.box.left || b.box.right <= a.box.left
          || a.box.bottom <= b.box.top || b.box.bottom <= a.box.top;
        assert.ok(apart, `"${a.title}" and "${b.title}" overlap: ${JSON.stringify([a.box, b.box])}`);
      }
    }
    return markers;
  }

  /** How many places the map shows, counting each group's members. */
  async placesOnMap() {
    return (await this.markers()).reduce((n, m) => n + m.count, 0);
  }

  /** The coverage card as shown: its score, and per category met or not and the minutes. */
  async coverageShown() {
    await openCoverageCard(this.page);
    const score = await this.page.locator('.coverage-score').innerText();
    const lines = await this.page.locator('.coverage-line').evaluateAll((items) => items.map((li) => ({
      category: li.dataset.category,
      met: li.classList.contains('met'),
      minutes: li.querySelector('.coverage-nearest').dataset.minutes ?? null,
    })));
    return { score, lines };
  }

  async assertCoverageEquals(coverage) {
    const shown = await this.coverageShown();
    assert.match(shown.score, new RegExp(`^${coverage.met} / ${coverage.total} `), shown.score);
    assert.equal(shown.lines.length, coverage.total);
    for (const expected of coverage.categories) {
      const line = shown.lines.find((l) => l.category === expected.category);
      assert.ok(line, `no line for ${expected.category}`);
      assert.equal(line.met, expected.met, expected.category);
      assert.equal(line.minutes, expected.nearest ? String(expected.nearest.minutes) : null, expected.category);
    }
  }

  /** The list's entries: their links, walking minutes (null when out of reach) and groups. */
  async listed() {
    return this.page.locator('.facility-list li').evaluateAll((items) => items.map((li) => {
      const walk = li.querySelector('.walk').textContent;
      const minutes = walk.match(/(\d+) (分钟|min)/);
      return {
        href: li.querySelector('a').getAttribute('href'),
        name: li.querySelector('.facility-name').textContent.trim(),
        walk: walk.trim(),
        minutes: minutes ? Number(minutes[1]) : null,
        group: [...li.querySelector('.category-dot').classList].find((c) => c.startsWith('group-')),
      };
    }));
  }
}

describe('the service circle', () => {
  const linli = useServerAndBrowser();

  it('opens on the list on a phone, and fetches the map only when it is asked for', async () => {
    const page = await newPhonePage(linli.browser);
    const mapFetches = [];
    const coverageFetches = [];
    page.on('request', (r) => {
      if (/split_loaded_map|leaflet\.js|\/api\/v1\/map\/base/.test(r.url())) mapFetches.push(new URL(r.url()).pathname);
      if (/split_coverage_card/.test(r.url())) coverageFetches.push(new URL(r.url()).pathname);
    });
    const shell = new Shell(page, linli.server.url);
    await shell.open('/circle');
    // The list, sorted by walking minutes, is there without the map.
    await page.locator('.facility-list li').first().getByText(/步行/).waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(await page.locator('.circle-list-pane').isVisible());
    assert.equal(await page.locator('.circle-map').count(), 0, 'no map drawn before it is asked for');
    assert.deepEqual(mapFetches, [], 'nothing of the map fetched before it is asked for');
    // The coverage card, below the list, comes when the page is scrolled near it; its heading
    // is there before, for a screen reader's list of headings.
    await page.getByRole('heading', { name: '生活圈达标情况' }).waitFor({ state: 'attached' });
    assert.equal(await page.locator('.coverage-score').count(), 0, 'no coverage card far below the screen');
    assert.deepEqual(coverageFetches, [], 'the coverage card not fetched before it is near');
    await openCoverageCard(page);
    assert.equal(coverageFetches.length, 1, `the coverage card's module: ${coverageFetches}`);
    // Once near, another walk redraws the card at once, with no new download.
    await page.getByRole('radio', { name: /每分钟80米/ }).check();
    await page.waitForFunction(() => document.querySelector('.facility-list a')?.getAttribute('href').includes('speed=80'));
    await page.locator('.coverage-score').waitFor();
    assert.equal(coverageFetches.length, 1);
    await page.getByRole('radio', { name: /每分钟60米/ }).check();
    await page.evaluate(() => window.scrollTo(0, 0));
    assert.equal(await page.getByRole('button', { name: '列表', exact: true }).getAttribute('aria-pressed'), 'true');

    await page.getByRole('button', { name: '地图', exact: true }).click();
    await page.locator('path.walk-area-15').first().waitFor();
    assert.ok(mapFetches.some((p) => p.includes('split_loaded_map')), `the map's module: ${mapFetches}`);
    assert.ok(mapFetches.includes('/leaflet/leaflet.js'), `Leaflet: ${mapFetches}`);
    assert.ok(mapFetches.includes('/api/v1/map/base'), `the base layer: ${mapFetches}`);
    // Back to the list and to the map again: the map is kept, not fetched again.
    const fetched = mapFetches.length;
    await page.getByRole('button', { name: '列表', exact: true }).click();
    await page.getByRole('button', { name: '地图', exact: true }).click();
    await page.locator('path.walk-area-15').first().waitFor();
    assert.equal(mapFetches.length, fetched);

    // "On the map" in the list shows the map with that place chosen, and so does a link to it.
    await page.getByRole('button', { name: '列表', exact: true }).click();
    const entry = page.locator('.facility-list li').first();
    const href = await entry.locator('a[href^="/circle/facilities/"]').first().getAttribute('href');
    await entry.getByRole('button', { name: '在地图上看' }).click();
    assert.equal(await page.getByRole('button', { name: '地图', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.ok(await page.locator('.circle-map').isVisible());
    assert.ok(!(await page.locator('.circle-list-pane').isVisible()));
    await page.locator('.selected-facility').waitFor();
    const id = href.match(/facilities\/(\d+)/)[1];
    await shell.open(`/circle?facility=${id}`);
    await page.locator('path.walk-area-15').first().waitFor();
    assert.equal(await page.getByRole('button', { name: '地图', exact: true }).getAttribute('aria-pressed'), 'true');
    await page.locator('.selected-facility').waitFor();
    assert.deepEqual(page.consoleErrors, []);
  });

  it('draws the walking areas, filters to elderly care, sorts by minutes, opens a facility and shows the API coverage', async () => {
    const page = await newPhonePage(linli.browser);
    await new LoginPage(page, linli.server.url).login(OWNER);
    await page.waitForURL('**/me');
    const circle = new CirclePage(page, linli.server.url);
    await circle.open();

    // The base layer is the community's own network; the areas are polygons, not circles.
    await page.waitForFunction(() => document.querySelectorAll('path.base-street').length > 10);
    for (const minutes of [5, 10, 15]) {
      assert.ok(await page.locator(`path.walk-area-${minutes}`).count() >= 1, `${minutes}-minute area drawn`);
    }
    const area = await page.locator('path.walk-area-15').first().getAttribute('d');
    assert.ok((area.match(/L/g) ?? []).length > 8, 'the 15-minute area is a polygon of many corners');
    assert.equal(await page.locator('.home-now').innerText(), '我家');

    // The coverage card says what the API says, from the same start at the same speed.
    const start = await circle.start();
    assert.equal(start.start, 'household');
    assert.equal(start.speed, 60);
    const answer = await circle.walk(start, 60);
    await circle.assertCoverageEquals(answer.coverage);
    await screenshot(page, 'circle-map');

    // Filter to elderly care: the markers and the list hold exactly those, nearest first.
    const { body: all } = await circle.api('/facilities');
    const elderly = all.features.filter((f) => ELDERLY_CARE.includes(f.properties.category));
    assert.ok(elderly.length >= 2, 'the demo has elderly care');
    await circle.chip('养老').click();
    assert.equal(await circle.chip('养老').getAttribute('aria-pressed'), 'true');
    await page.waitForFunction((n) => [...document.querySelectorAll('.facility-marker, .facility-group')]
      .reduce((sum, icon) => sum + (icon.classList.contains('facility-group') ? Number(icon.textContent) : 1), 0) === n,
    elderly.length);
    await page.getByRole('button', { name: '列表', exact: true }).click();
    const listed = await circle.listed();
    assert.equal(listed.length, elderly.length);
    assert.ok(listed.every((l) => l.group === 'group-elderly_care'), JSON.stringify(listed));
    const reached = listed.filter((l) => l.minutes !== null).map((l) => l.minutes);
    assert.ok(reached.length >= 1);
    assert.deepEqual(reached, [...reached].sort((a, b) => a - b), 'sorted by walking minutes');
    assert.ok(listed.findIndex((l) => l.minutes === null) === -1 || listed.slice(reached.length).every((l) => l.minutes === null),
      'facilities out of reach come last');
    // Each entry's minutes are the API's for that facility.
    for (const entry of listed) {
      const id = Number(entry.href.match(/facilities\/(\d+)/)[1]);
      const walked = answer.walk.destinations.find((d) => d.id === id);
      assert.equal(entry.minutes, walked.minutes ?? null, entry.name);
    }
    await screenshot(page, 'circle-list-elderly');

    // Select the nearest: its page opens on a deep link with the same walk.
    const nearest = listed[0];
    await page.locator('.facility-list').getByRole('link', { name: nearest.name }).click();
    await page.waitForURL(/\/circle\/facilities\/\d+\?from=/);
    await circle.headingNamed(nearest.name).waitFor();
    await page.locator('.facts .walk').filter({ hasText: /步行/ }).waitFor();
    assert.match(await page.locator('.facts .walk').innerText(), new RegExp(nearest.walk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await page.reload();
    assert.equal(await circle.heading().innerText(), nearest.name, 'the deep link survives a reload');
    await screenshot(page, 'facility-page');

    // A slower walker: the card follows the API at 50 m/min.
    await circle.open();
    await page.getByLabel(/慢 · 每分钟50米/).check();
    const slow = await circle.walk(start, 50);
    await page.waitForFunction((s) => document.querySelector('.coverage-score')?.textContent.startsWith(s),
      `${slow.coverage.met} / ${slow.coverage.total}`);
    await circle.assertCoverageEquals(slow.coverage);
    assert.ok(slow.coverage.met <= answer.coverage.met, 'walking slower never meets more');
    assert.deepEqual(page.consoleErrors, []);
  });

  it('starts from a point picked on the map or from the device, and turns "missing" into a filled-in request', async () => {
    const page = await newPhonePage(linli.browser);
    await page.context().grantPermissions(['geolocation']);
    await new LoginPage(page, linli.server.url).login(OWNER);
    await page.waitForURL('**/me');
    const circle = new CirclePage(page, linli.server.url);
    await circle.open();
    const household = await circle.start();

    // A point picked on the map.
    await page.getByRole('button', { name: '在地图上选点' }).click();
    const box = await page.locator('.circle-map').boundingBox();
    await page.locator('.circle-map').click({ position: { x: box.width * 0.3, y: box.height * 0.4 } });
    await page.locator('.home-now', { hasText: '地图上选的点' }).waitFor();
    await page.getByRole('button', { name: '列表', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('.facility-list a')?.getAttribute('href').includes('start=picked'));
    const picked = await circle.start();
    assert.notDeepEqual([picked.lat, picked.lon], [household.lat, household.lon]);
    await circle.assertCoverageEquals((await circle.walk(picked, 60)).coverage);

    // The device's position, 300 m north of home.
    await page.context().setGeolocation({ latitude: household.lat + 0.0027, longitude: household.lon });
    await page.getByRole('button', { name: '使用我的位置' }).click();
    await page.locator('.home-now', { hasText: '我的位置' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.facility-list a')?.getAttribute('href').includes('start=located'));
    const located = await circle.start();
    assert.ok(Math.abs(located.lat - (household.lat + 0.0027)) < 1e-5);
    await circle.assertCoverageEquals((await circle.walk(located, 60)).coverage);

    // Back home, then raise something missing as a request: the form is filled in.
    await page.getByRole('button', { name: '我家' }).click();
    await page.locator('.home-now', { hasText: '我家' }).waitFor();
    await openCoverageCard(page);
    const missing = page.locator('.missing-actions li').first();
    const category = await missing.getAttribute('data-category');
    const title = await missing.locator('strong').innerText();
    assert.match(title, /^附近缺少/);
    await missing.getByRole('link', { name: '反映给社区' }).click();
    await page.waitForURL('**/requests/new?**');
    await page.getByLabel('标题').waitFor();
    assert.equal(await page.getByLabel('标题').inputValue(), title);
    const description = await page.locator('textarea').first().inputValue();
    assert.match(description, /从我家出发，按每分钟60米步行/);
    assert.ok(category);

    // Or as a proposal for the whole community.
    await page.goBack();
    await openCoverageCard(page);
    await page.locator('.missing-actions li').first().getByRole('link', { name: '发起议事' }).click();
    await page.waitForURL('**/consultations/new?**');
    await page.getByLabel('议题').or(page.locator('#title')).first().waitFor();
    assert.equal(await page.locator('#title').inputValue(), title);
    assert.deepEqual(page.consoleErrors, []);
  });

  it('draws places too close to tell apart as one marker that a tap or Enter opens up, and no marker covers another', async () => {
    const page = await newPhonePage(linli.browser);
    const circle = new CirclePage(page, linli.server.url);
    await circle.open();
    const { body: all } = await circle.api('/facilities');
    const everyPlace = all.features.length;
    await page.waitForFunction(() => document.querySelectorAll('.facility-marker, .facility-group').length > 0);
    const start = await circle.zoom();
    await circle.assertNoMarkerCovers();
    assert.equal(await circle.placesOnMap(), everyPlace);

    // Zoomed out, neighbours gather into groups; every place is still counted once.
    const zoomOut = page.getByRole('button', { name: '缩小地图' });
    await zoomOut.click();
    await circle.settleAt(start - 1);
    await zoomOut.click();
    await circle.settleAt(start - 2);
    await page.locator('.facility-group').first().waitFor();
    const before = await circle.assertNoMarkerCovers();
    assert.equal(await circle.placesOnMap(), everyPlace);
    const group = page.locator('.facility-group').first();
    assert.match(await group.getAttribute('title'), /^这里有 \d+ 处设施：.+。点按放大查看$/);
    await screenshot(page, 'circle-map-grouped');

    // Enter on a group (as a tap would) zooms in until it comes apart.
    await group.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((z) => Number(document.querySelector('.circle-map').dataset.zoom) > z, start - 2);
    await circle.settleAt(await circle.zoom());
    const after = await circle.assertNoMarkerCovers();
    assert.ok(after.length > before.length, `${before.length} markers before, ${after.length} after`);
    assert.equal(await circle.placesOnMap(), everyPlace);

    // Enter on a place's marker chooses it, as a tap does: it is marked, alone or as the first
    // place of a group that now gathers round it.
    const place = page.locator('.facility-marker').first();
    const name = (await place.getAttribute('title')).split(' · ')[0];
    await place.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => [...document.querySelectorAll('.facility-marker.selected, .facility-group.selected')]
      .some((m) => m.getAttribute('title').startsWith(n) || m.getAttribute('title').includes(`：${n}`)), name);
    await circle.assertNoMarkerCovers();

    // Elder mode's 60 px markers need more room: still none covers another.
    await circle.elderSwitch().click();
    await page.waitForFunction(() => document.querySelector('.facility-marker, .facility-group').getBoundingClientRect().width >= 59.5);
    await circle.assertNoMarkerCovers();
    assert.equal(await circle.placesOnMap(), everyPlace);
    assert.deepEqual(page.consoleErrors, []);
  });

  it('speaks English and enlarges the markers in elder mode', async () => {
    const page = await newPhonePage(linli.browser);
    const circle = new CirclePage(page, linli.server.url);
    await circle.open();
    // A visitor walks from the community centre.
    assert.equal(await page.locator('.home-now').innerText(), '社区中心');
    await circle.languageSwitch().click();
    await circle.elderSwitch().click();
    assert.match(await circle.heading().innerText(), /Service circle/);
    await openCoverageCard(page);
    await page.getByRole('heading', { name: 'Life-circle check' }).waitFor();
    assert.match(await page.locator('.coverage-score').innerText(), /^\d+ of 29 kinds met$/);
    assert.equal(await page.locator('.home-now').innerText(), 'Community centre');
    const marker = await page.locator('.facility-marker').first().boundingBox();
    assert.ok(marker.width >= 44 && marker.height >= 44, `marker ${marker.width}×${marker.height}`);
    // The zoom buttons are above the map, named in the page's language, and cover no place.
    const zoomIn = await page.getByRole('button', { name: 'Zoom in' }).boundingBox();
    const map = await page.locator('.circle-map').boundingBox();
    assert.ok(zoomIn.height >= 59.5, `zoom button ${zoomIn.height} high`);
    assert.ok(zoomIn.y + zoomIn.height <= map.y, 'the zoom buttons are not on the map');
    assert.equal(await page.locator('.leaflet-control-zoom').count(), 0);
    await circle.chip('Elderly care').click();
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await page.locator('.facility-list li').first().getByText(/min walk/).waitFor();
    await screenshot(page, 'circle-list-en-elder');
    assert.deepEqual(page.consoleErrors, []);
  });

  it('lets staff add, correct, edit and retire a facility, refusing bad hours and points outside', async () => {
    const page = await newPhonePage(linli.browser);
    await new LoginPage(page, linli.server.url).login(STAFF);
    await page.waitForURL('**/me');
    const circle = new CirclePage(page, linli.server.url);
    await circle.open();
    const centre = await circle.start();
    const before = (await circle.api('/facilities')).body.features.length;

    await new Shell(page, linli.server.url).open(`/circle/facilities/new?lat=${centre.lat}&lon=${centre.lon}`);
    await page.getByLabel('类别').selectOption('pharmacy');
    await page.getByLabel('中文名称').fill('青樟大药房');
    await page.getByLabel('英文名称').fill('Qingzhang Pharmacy');
    await page.getByLabel('营业时间').fill('every day, more or less');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#opening_hours-error').waitFor();
    assert.equal((await circle.api('/facilities')).body.features.length, before, 'nothing saved');

    await page.getByLabel('营业时间').fill('Mo-Su 08:00-22:00');
    await page.getByLabel('纬度').fill('31.5');
    await page.getByRole('button', { name: '保存' }).click();
    await circle.alert().first().waitFor();
    await page.locator('.field-error', { hasText: /社区/ }).first().waitFor();
    assert.equal((await circle.api('/facilities')).body.features.length, before, 'nothing saved');

    await page.getByLabel('纬度').fill(String(centre.lat));
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/\/circle\/facilities\/\d+$/);
    await circle.headingNamed('青樟大药房').waitFor();
    const id = Number(page.url().match(/facilities\/(\d+)/)[1]);
    assert.equal((await circle.api(`/facilities/${id}`)).body.properties.category, 'pharmacy');

    await page.getByRole('link', { name: '编辑' }).click();
    await page.getByLabel('中文名称').waitFor();
    assert.equal(await page.getByLabel('中文名称').inputValue(), '青樟大药房');
    await page.getByLabel('中文名称').fill('青樟惠民药房');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/\/circle\/facilities\/\d+$/);
    await circle.headingNamed('青樟惠民药房').waitFor();

    await page.getByRole('button', { name: '停用这处设施' }).click();
    await page.getByRole('button', { name: '确定停用' }).click();
    await page.getByText('已停用。').waitFor();
    assert.equal((await circle.api(`/facilities/${id}`)).status, 404);
    assert.equal((await circle.api('/facilities')).body.features.length, before);
    assert.deepEqual(page.consoleErrors.filter((e) => !/status of (404|422)/.test(e)), []);
  });
});
