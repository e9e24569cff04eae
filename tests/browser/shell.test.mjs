// The app shell in the browser: the four tabs, language, elder mode, deep links, 404, and a
// clean console. Saves a screenshot of each main page in normal and elder mode.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { launchBrowser, newPhonePage, openCircleMap, screenshot, startServer, useServerAndBrowser } from './harness.mjs';
import { LoginPage, Shell } from './pages.mjs';

// The app's wasm: a first visit's bundle, or its modules apart (a later visit, or a failed bundle).
const APP_FILES = /\.(wasm|bin)$/;

const TABS = [
  { path: '/requests', tab: '办事', heading: '办事', english: 'Service requests' },
  { path: '/consultations', tab: '议事', heading: '议事', english: 'Consultations' },
  { path: '/circle', tab: '服务圈', heading: '服务圈', english: 'Service circle' },
  { path: '/me', tab: '我的', heading: '我的', english: 'Me' },
];

describe('the app shell', () => {
  const linli = useServerAndBrowser();

  it('shows the four tabs in Chinese by default, each with its own page', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await shell.open('/');
    assert.ok(page.url().endsWith('/requests'), 'the start page is 办事');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    // Start from 议事: clicking the tab of the page we are on is not a navigation.
    for (const { path, tab, heading } of [...TABS.slice(1), TABS[0]]) {
      await shell.tab(tab).click();
      await page.waitForURL(`**${path}`);
      await shell.headingNamed(new RegExp(heading)).waitFor();
      assert.equal(await shell.tab(tab).getAttribute('aria-current'), 'page');
      // Where am I: the document title names the page, and focus moved to the new content.
      assert.match(await page.title(), new RegExp(`^${tab} · 邻里$`));
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    }
    // The 服务圈 page draws the walking areas the server computed on its map.
    await shell.tab('服务圈').click();
    await openCircleMap(page);
    assert.deepEqual(page.consoleErrors, []);
  });

  it('shows a tab\'s heading and lead before the app has loaded, in the saved language, as the app then draws them', async () => {
    // Service workers would serve the app from their cache, past the blocked module below.
    const context = await linli.browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const first = (selector) => page.locator(selector).evaluate((el) => ({ text: el.innerText, width: el.getBoundingClientRect().width }));
    await page.goto(`${linli.server.url}/no-such-page`);
    for (const lang of ['zh-CN', 'en']) {
      await page.evaluate((l) => localStorage.setItem('linli.lang', l), lang);
      for (const path of ['/requests', '/consultations', '/circle', '/me']) {
        await page.goto(`${linli.server.url}${path}`);
        await page.locator('main#main section.page p.lead').first().waitFor();
        const app = { heading: await first('main#main h1'), lead: await first('main#main p.lead') };

        // The same path with the app's module refused: the static shell stays, showing them.
        await page.route(APP_FILES, (route) => route.abort());
        await page.goto(`${linli.server.url}${path}`);
        const shown = page.locator('#boot-shell .boot-page:visible');
        assert.equal(await shown.count(), 1, `${lang} ${path}: one heading shown`);
        assert.equal(await shown.getAttribute('lang'), lang);
        assert.deepEqual(await first('#boot-shell .boot-page:visible h1'), app.heading, `${lang} ${path}`);
        assert.deepEqual(await first('#boot-shell .boot-page:visible p.lead'), app.lead, `${lang} ${path}`);
        // 我的's content below its lead depends on who is signed in: placeholder lines there.
        assert.equal(await page.locator('#boot-shell .skeleton-line:visible').count() > 0, path === '/me');
        await page.unroute(APP_FILES);
      }
    }
    // Elsewhere the shell shows only its placeholder lines.
    await page.route(APP_FILES, (route) => route.abort());
    await page.goto(`${linli.server.url}/me/household`);
    assert.equal(await page.locator('#boot-shell .boot-page:visible').count(), 0);
    assert.ok(await page.locator('#boot-shell .skeleton-line:visible').count() > 0);
    await context.close();
  });

  it('draws the header before the app has loaded as the app then draws it, in each language and mode', async () => {
    // A narrow phone, where the header's buttons wrap under the name.
    const context = await linli.browser.newContext({ viewport: { width: 360, height: 800 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const box = (selector) => page.locator(selector).evaluate((el) => {
      const { height, width } = el.getBoundingClientRect();
      return { height, width };
    });
    await page.goto(`${linli.server.url}/no-such-page`);
    for (const lang of ['zh-CN', 'en']) {
      for (const elder of ['off', 'on']) {
        await page.evaluate(([l, e]) => {
          localStorage.setItem('linli.lang', l);
          localStorage.setItem('linli.elder_mode', e);
        }, [lang, elder]);
        await page.route(APP_FILES, (route) => route.abort());
        await page.goto(`${linli.server.url}/circle`);
        const shell = await box('#boot-shell .app-header:visible');
        const shellLead = await box('#boot-shell .boot-page:visible p.lead');
        const shellTop = await page.locator('#boot-shell .boot-page:visible h1').evaluate((h) => h.getBoundingClientRect().top);
        await page.unroute(APP_FILES);
        await page.goto(`${linli.server.url}/circle`);
        await page.locator('main#main p.lead').waitFor();
        assert.deepEqual(shell, await box('.app-header'), `${lang}, elder mode ${elder}: the header`);
        assert.deepEqual(shellLead, await box('main#main p.lead'), `${lang}, elder mode ${elder}: the lead`);
        const appTop = await page.locator('main#main h1').evaluate((h) => h.getBoundingClientRect().top);
        assert.equal(shellTop, appTop, `${lang}, elder mode ${elder}: the heading stays where it was`);
      }
    }
    await context.close();
  });

  it('switches to English and back, and remembers the choice', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await shell.open('/consultations');
    await shell.languageSwitch().click();
    await page.locator('main#main').getByRole('heading', { level: 1, name: /Consultations/ }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.ok(await shell.tab('Consult').isVisible());
    await page.reload();
    await page.locator('main#main').getByRole('heading', { level: 1, name: /Consultations/ }).waitFor();
    await shell.languageSwitch().click();
    await page.locator('main#main').getByRole('heading', { level: 1, name: /议事/ }).waitFor();
    assert.deepEqual(page.consoleErrors, []);
  });

  it('turns elder mode on: bigger text and targets, kept across a reload', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await shell.open('/requests');
    const bodySize = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main p')).fontSize));
    const tabHeight = () => shell.tab('办事').evaluate((a) => a.getBoundingClientRect().height);
    const normalSize = await bodySize();
    assert.equal(await shell.elderSwitch().getAttribute('aria-pressed'), 'false');

    await shell.elderSwitch().click();
    assert.equal(await shell.elderSwitch().getAttribute('aria-pressed'), 'true');
    assert.ok((await bodySize()) >= 18, 'body text at least 18 px');
    assert.ok((await bodySize()) > normalSize, 'text grew');
    assert.ok((await tabHeight()) >= 60, 'tabs at least 60 px tall');

    await page.reload();
    await shell.heading().waitFor();
    assert.equal(await shell.elderSwitch().getAttribute('aria-pressed'), 'true');
    assert.ok((await bodySize()) >= 18, 'still large after a reload');
    const switchBox = await shell.elderSwitch().boundingBox();
    assert.ok(switchBox.height >= 60 && switchBox.width >= 60, 'the switch itself is a 60 px target');
    assert.deepEqual(page.consoleErrors, []);
  });

  it('runs under a Content-Security-Policy that allows only its own scripts', async () => {
    const page = await newPhonePage(linli.browser);
    const response = await page.goto(`${linli.server.url}/requests`);
    const policy = response.headers()['content-security-policy'];
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+;/);
    assert.doesNotMatch(policy, /'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    await page.getByRole('navigation').first().waitFor();
    await page.getByRole('link', { name: '办事' }).first().waitFor();
    // A script slipped into the page (as an injection would be) is not run.
    const ran = await page.evaluate(() => new Promise((resolve) => {
      window.injected = false;
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.addEventListener('securitypolicyviolation', () => resolve(window.injected), { once: true });
      document.body.append(script);
    }));
    assert.equal(ran, false);
    const blocked = page.consoleErrors.filter((e) => /CSP blocked|Content Security Policy/.test(e));
    assert.ok(blocked.length >= 1, 'the injected script was reported');
    assert.deepEqual(page.consoleErrors.filter((e) => !blocked.includes(e)), []);
  });

  it('has a skip link that moves keyboard focus to the content', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await shell.open('/circle');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '跳到主要内容');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    assert.deepEqual(page.consoleErrors, []);
  });

  it('keeps a deep link through a reload, and shows a 404 page for unknown paths', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await shell.open('/circle');
    await page.reload();
    assert.match(await shell.heading().innerText(), /服务圈/);
    await shell.open('/me/household');
    assert.match(await shell.heading().innerText(), /绑定房屋/);
    await shell.open('/no/such/page');
    assert.match(await shell.heading().innerText(), /找不到这个页面/);
    assert.deepEqual(page.consoleErrors, []);
  });

  it('loads only the opened tab\'s stylesheet, and another area\'s with its page', async () => {
    const page = await newPhonePage(linli.browser);
    const sheets = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.endsWith('.css')) sheets.push(path.replace(/-[0-9a-f]{16}\.css$/, ''));
    });
    const shell = new Shell(page, linli.server.url);
    await shell.open('/requests');
    assert.deepEqual(sheets, ['/main'], 'a first visit to 办事 loads main.css alone');
    await shell.tab('服务圈').click();
    await shell.headingNamed(/服务圈/).waitFor();
    assert.deepEqual(sheets, ['/main', '/circle']);
    // Drawn with its rules at once: the chosen view's button (circle.css) is filled.
    const pressed = page.locator('.view-toggle button[aria-pressed="true"]');
    assert.equal(await pressed.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(179, 38, 30)');
    assert.deepEqual(page.consoleErrors, []);
    await page.context().close();
  });

  it('says so when a page\'s module cannot be downloaded, and opens the page on retry', async () => {
    // No service worker: it would serve the module from its cache, past the refusal below.
    const context = await linli.browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const uncaught = [];
    page.on('pageerror', (e) => uncaught.push(e.message));
    const shell = new Shell(page, linli.server.url);
    await shell.open('/requests');
    await page.route(/\/split_consultations_tab-/, (route) => route.abort());
    await shell.tab('议事').click();
    await shell.headingNamed('这个页面没能打开').waitFor();
    assert.match(await shell.alert().innerText(), /没能加载出来。请检查网络后重试。/);
    assert.equal(await shell.tab('议事').getAttribute('aria-current'), 'page');
    await screenshot(page, 'page-unavailable');
    await page.unroute(/\/split_consultations_tab-/);
    await page.getByRole('button', { name: '重试' }).click();
    await shell.headingNamed(/议事/).waitFor();
    // The refused download is reported (the split loader leaves its promise unhandled a
    // while), but nothing panicked: a panic aborts the wasm with `unreachable`.
    assert.deepEqual(uncaught.filter((m) => m !== 'Failed to fetch'), [], 'no panic');
    await context.close();
  });

  it('is installable: a manifest with its Chinese name, icons and theme colour, as Chromium reads it', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await shell.open('/requests');
    const cdp = await page.context().newCDPSession(page);
    const { url, errors, parsed } = await cdp.send('Page.getAppManifest');
    assert.ok(url.endsWith('/manifest.webmanifest'), url);
    assert.deepEqual(errors, []);
    const served = await page.request.get(url);
    assert.equal(served.status(), 200);
    const manifest = await served.json();
    assert.equal(manifest.short_name, '邻里');
    assert.equal(manifest.lang, 'zh-CN');
    assert.equal(manifest.theme_color, await page.locator('meta[name=theme-color]').getAttribute('content'));
    assert.ok(parsed, 'Chromium parsed the manifest');
    for (const icon of manifest.icons) {
      const response = await page.request.get(new URL(icon.src, url).href);
      assert.equal(response.status(), 200, icon.src);
      assert.equal(response.headers()['content-type'], icon.type, icon.src);
    }
    const sizes = manifest.icons.map((i) => i.sizes);
    assert.ok(sizes.includes('192x192') && sizes.includes('512x512'));
    assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // A Playwright context is an incognito one, which Chromium never offers to install into.
    assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== 'in-incognito'), []);
    assert.deepEqual(page.consoleErrors, []);
  });

  it('saves a screenshot of each main page in normal and elder mode', async () => {
    const page = await newPhonePage(linli.browser);
    const shell = new Shell(page, linli.server.url);
    await new LoginPage(page, linli.server.url).login({ phone: '13900000001', password: 'linli2026' });
    await page.waitForURL('**/me');
    for (const mode of ['normal', 'elder']) {
      if (mode === 'elder') await shell.elderSwitch().click();
      for (const { path } of TABS) {
        await shell.open(path);
        if (path === '/circle') await openCircleMap(page);
        if (path === '/me') await page.getByText('业主').first().waitFor();
        await screenshot(page, `${path.slice(1)}-${mode}`);
      }
      await shell.open('/register');
      await screenshot(page, `register-${mode}`);
    }
    assert.deepEqual(page.consoleErrors, []);
  });
});

describe('a city of communities, each at its own address', () => {
  it('says at once when the app is opened at an address that is no community\'s', async () => {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      // Named before any page asks, so the server reads the name on its first question.
      execFileSync(process.env.LINLI_SERVER_BIN, [
        'community', '--database-url', server.databaseUrl, '--id', '1', '--host', 'cuiliu.localhost',
      ]);
      const notice = '这个网址不属于任何社区。请从您所在社区的网址打开邻里。';
      const page = await newPhonePage(browser);
      await page.goto(`${server.url}/requests`);
      await page.getByRole('status').filter({ hasText: notice }).waitFor();
      await screenshot(page, 'unknown-address-normal');
      // A page that cannot load there says why, not to check the network.
      await page.goto(`${server.url}/consultations`);
      await page.getByRole('alert').filter({ hasText: notice }).waitFor();
      assert.equal(await page.getByText('请检查网络').count(), 0);
      // At the community's own name (Chromium sends *.localhost to this machine) all is well.
      const port = new URL(server.url).port;
      const home = await newPhonePage(browser);
      await home.goto(`http://cuiliu.localhost:${port}/consultations`);
      await home.getByRole('heading', { level: 1, name: /议事/ }).waitFor();
      await home.getByRole('link', { name: /加装电梯/ }).first().waitFor();
      assert.equal(await home.getByText(notice).count(), 0);
      assert.deepEqual(home.consoleErrors, []);
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
