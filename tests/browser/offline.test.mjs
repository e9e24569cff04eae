// With no network the app still opens, through its service worker (public/sw.js), and shows
// what it last loaded, marked as offline. A sign-out forgets what was kept.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPhonePage, screenshot, useServerAndBrowser } from './harness.mjs';
import { LoginPage, MePage, Shell } from './pages.mjs';

const OWNER = { phone: '13900000001', password: 'linli2026' };

/** Waits until the service worker controls the page, so later loads go through it. */
async function controlledByServiceWorker(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

describe('offline', () => {
  const linli = useServerAndBrowser();

  it('opens with no network and shows my requests and the facilities it last loaded', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await new LoginPage(page, linli.server.url).login(OWNER);
    await page.waitForURL('**/me');
    await controlledByServiceWorker(page);
    await shell.open('/requests');
    const firstRequest = await page.locator('main .request-link').first().innerText();
    await shell.open('/circle');
    await page.getByRole('button', { name: '列表' }).click();
    const firstFacility = await page.locator('main .facility-name').first().innerText();
    assert.equal(await page.locator('.offline-notice p').count(), 0, 'no offline notice while online');
    // A file opened as a page (a photo, a document, here the icon) is not kept as the app.
    await page.goto(`${linli.server.url}/icons/icon-192.png`);

    await page.context().setOffline(true);
    await shell.open('/requests');
    await page.locator('main .request-link').first().waitFor();
    assert.equal(await page.locator('main .request-link').first().innerText(), firstRequest);
    const notice = page.getByRole('status').filter({ hasText: '网络不可用：显示的是' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /\d{4}-\d{2}-\d{2} \d{2}:\d{2} 保存的内容/);
    await screenshot(page, 'offline-requests');
    await shell.open('/circle');
    await page.getByRole('button', { name: '列表' }).click();
    assert.equal(await page.locator('main .facility-name').first().innerText(), firstFacility);

    // Back online: fresh answers, and the notice goes.
    await page.context().setOffline(false);
    await shell.open('/requests');
    await page.locator('main .request-link').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('.offline-notice p'));

    // A sign-out forgets the kept answers: offline, nobody's requests are shown.
    const me = new MePage(page, linli.server.url);
    await me.open();
    await me.logoutButton().click();
    await me.logoutButton().waitFor({ state: 'detached' });
    await page.context().setOffline(true);
    await shell.open('/requests');
    await page.waitForTimeout(500);
    assert.equal(await page.locator('main .request-link').count(), 0, 'no kept requests after sign-out');
    await page.context().setOffline(false);
    // Offline loads log their failed fetches; nothing else may be in the console.
    assert.deepEqual(page.consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(e)), []);
  });

  it('fetches one bundle on a first visit, whose modules the service worker keeps without fetching them again', async () => {
    const page = await newPhonePage(linli.browser);
    const fetched = [];
    page.context().on('request', (request) => fetched.push({
      path: new URL(request.url()).pathname,
      byWorker: request.serviceWorker() !== null,
    }));
    await page.goto(`${linli.server.url}/consultations`);
    await page.locator('main#main section.page p.lead').waitFor();
    await controlledByServiceWorker(page);

    const wasm = fetched.filter((f) => /\.(wasm|bin)$/.test(f.path));
    const byPage = wasm.filter((f) => !f.byWorker).map((f) => f.path);
    assert.equal(byPage.length, 1, `the page fetched one file of wasm: ${byPage}`);
    assert.match(byPage[0], /^\/bundle_consultations_tab-[0-9a-f]{16}\.bin$/);
    // The bundle: a little-endian u32, the length of a JSON list of [path, length], the files.
    const bundle = await (await page.context().request.get(`${linli.server.url}${byPage[0]}`)).body();
    const parts = JSON.parse(bundle.subarray(4, 4 + bundle.readUInt32LE(0)).toString());
    const bundled = parts.map(([path]) => path);
    assert.ok(bundled.some((path) => path.startsWith('/split_consultations_tab-')), `${bundled}`);
    const byWorker = wasm.filter((f) => f.byWorker).map((f) => f.path);
    assert.ok(byWorker.length > 0, 'the worker fetched the modules of other routes');
    assert.deepEqual(byWorker.filter((path) => bundled.includes(path)), [], 'nor those of the bundle');
    assert.ok(!byWorker.some((path) => path.endsWith('.bin')), 'nor any bundle');

    // A later visit takes the modules apart from the worker's cache: no bundle.
    fetched.length = 0;
    await page.reload();
    await page.locator('main#main section.page p.lead').waitFor();
    assert.deepEqual(fetched.filter((f) => f.path.endsWith('.bin')), []);
    assert.deepEqual(page.consoleErrors, []);
    await page.context().close();
  });

  it('opens with the modules apart when the first visit\'s bundle fails', async () => {
    const page = await newPhonePage(linli.browser);
    await page.route(/\.bin$/, (route) => route.abort());
    const modules = [];
    page.on('request', (request) => { if (request.url().endsWith('.wasm')) modules.push(request.url()); });
    await page.goto(`${linli.server.url}/requests`);
    await page.locator('main#main section.page p.lead').waitFor();
    assert.ok(modules.some((url) => /\/split_requests_tab-/.test(url)), `${modules}`);
    // Only the refused bundle is reported.
    assert.deepEqual(page.consoleErrors, ['Failed to load resource: net::ERR_FAILED']);
    await page.context().close();
  });

  it('keeps a request written offline and sends it once when the network is back', async () => {
    const { url } = linli.server;
    const context = await linli.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const shell = new Shell(page, url);
    await new LoginPage(page, url).login({ phone: '13900000002', password: 'linli2026' });
    await page.waitForURL('**/me');
    await controlledByServiceWorker(page);
    await shell.open('/requests/new');
    await page.getByRole('radio', { name: '环境卫生' }).waitFor();

    await context.setOffline(true);
    await page.getByRole('radio', { name: '环境卫生' }).check();
    await page.getByLabel('标题').fill('地下车库有积水');
    await page.getByRole('checkbox', { name: '积水' }).check();
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.waitForURL('**/requests');
    const waiting = page.getByRole('status').filter({ hasText: '1 条诉求保存在手机上，恢复网络后会自动发送' });
    await waiting.waitFor();
    await screenshot(page, 'offline-request-kept');

    // A second tab of the same phone holds the same outbox, and keeps a request of its own
    // beside the first: when the network returns both tabs send what is kept, and the
    // server's idempotency key makes one request of each.
    const second = await context.newPage();
    await second.goto(`${url}/me`);
    await second.getByRole('status').filter({ hasText: '1 条诉求保存在手机上' }).waitFor();
    await new Shell(second, url).open('/requests/new');
    await second.getByRole('radio', { name: '公共设施' }).check();
    await second.getByLabel('标题').fill('三单元楼道灯不亮');
    await second.getByRole('button', { name: '提交', exact: true }).click();
    await second.getByRole('status').filter({ hasText: '2 条诉求保存在手机上' }).waitFor();
    await context.setOffline(false);
    const sent = (p) => p.getByRole('status').filter({ hasText: /你离线时写的诉求「地下车库有积水」已发送，受理编号 LL-\d{4}-\d{6}/ });
    await sent(page).waitFor();
    // The list of my requests loads again and has it.
    await page.locator('main .request-link').filter({ hasText: '地下车库有积水' }).waitFor();
    await screenshot(page, 'offline-request-sent');
    await waiting.waitFor({ state: 'detached' });
    await second.reload();
    await second.locator('main#main').getByRole('heading', { level: 1 }).waitFor();

    const mine = await (await page.request.get(`${url}/api/v1/me/requests`)).json();
    const list = Array.isArray(mine) ? mine : mine.items;
    assert.equal(list.filter((r) => r.title === '地下车库有积水').length, 1, 'sent exactly once');
    // Whichever tab gets to it first sends it (the other then finds it gone, or is answered
    // with the same request).
    await Promise.any([page, second].map((p) => p.getByRole('status').filter({ hasText: /「三单元楼道灯不亮」已发送/ }).waitFor()));
    const again = await (await page.request.get(`${url}/api/v1/me/requests`)).json();
    const all = Array.isArray(again) ? again : again.items;
    assert.equal(all.filter((r) => r.title === '三单元楼道灯不亮').length, 1, "the second tab's, exactly once");
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('linli.outbox')));
    assert.deepEqual(kept, [], 'the outbox is empty');
    await page.getByRole('link', { name: '查看诉求「地下车库有积水」' }).click();
    await page.locator('.tracking-number').waitFor();
    // Signed out (in the app, no reload), the phone no longer shows what that account sent.
    assert.equal(await sent(page).count(), 1);
    const me = new MePage(page, url);
    await me.tab('我的').click();
    await me.logoutButton().click();
    await me.logoutButton().waitFor({ state: 'detached' });
    await sent(page).waitFor({ state: 'detached', timeout: 5000 });
    await context.close();
  });

  it('sends, once, a request an earlier version kept in its one-list outbox', async () => {
    const { url } = linli.server;
    const context = await linli.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await new LoginPage(page, url).login(OWNER);
    await page.waitForURL('**/me');
    const me = await (await page.request.get(`${url}/api/v1/me`)).json();
    const body = { category: 'repairs', title: '旧版本保存的诉求', description: '三楼楼道灯不亮',
      answers: { where: 'stairwell', floor: '3' } };
    await page.evaluate(([author, body]) => localStorage.setItem('linli.outbox',
      JSON.stringify([{ key: '0123456789abcdef0123456789abcdef', author, body }])), [me.id, body]);
    await page.reload();
    await page.getByRole('status').filter({ hasText: /「旧版本保存的诉求」已发送/ }).waitFor();
    await page.reload();
    await page.locator('main#main').getByRole('heading', { level: 1 }).waitFor();
    const mine = await (await page.request.get(`${url}/api/v1/me/requests`)).json();
    const list = Array.isArray(mine) ? mine : mine.items;
    assert.equal(list.filter((r) => r.title === '旧版本保存的诉求').length, 1, 'sent exactly once');
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('linli.outbox')));
    assert.deepEqual(kept, [], 'the old list is gone and nothing is left to send');
    await context.close();
  });
});
