// Accessibility on every route: axe-core finds no violations, logged out and logged in (a
// resident, a staff member and an admin), in normal and in elder mode. Elder mode is also measured:
// body text at least 18 px and every visible interactive target at least 60×60 px.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { newPhonePage, openCircleMap, openCoverageCard, useServerAndBrowser } from './harness.mjs';
import { LoginPage, Shell } from './pages.mjs';

/** Routes anyone can open; `:topic` and `:facility` are filled in with demo ids. */
const PUBLIC_ROUTES = [
  '/requests', '/requests/figures', '/requests/public',
  '/consultations', '/consultations/:topic', '/consultations/:topic/notice',
  '/circle', '/circle/facilities/:facility',
  '/me', '/login', '/register', '/no-such-page',
];
const WHO = [
  { who: 'logged out', routes: PUBLIC_ROUTES },
  {
    who: 'a resident',
    account: { phone: '13900000001', password: 'linli2026' },
    requestsList: '/requests',
    routes: [...PUBLIC_ROUTES, '/requests/new', '/requests/:request', '/consultations/new', '/me/household'],
  },
  {
    who: 'staff',
    account: { phone: '13800000002', password: 'linli2026' },
    requestsList: '/staff',
    routes: [...PUBLIC_ROUTES, '/staff', '/staff/access-log', '/requests/:request', '/circle/facilities/new', '/circle/facilities/:facility/edit'],
  },
  {
    who: 'an admin',
    account: { phone: '13800000001', password: 'linli2026' },
    requestsList: '/staff',
    routes: ['/staff', '/staff/access-log', '/requests/:request', '/me'],
  },
];

/** The first id linked from a list page, e.g. `/requests/public` → the first request's id. */
async function firstLinkedId(page, shell, listPath, pattern) {
  await shell.open(listPath);
  await page.waitForFunction((source) => [...document.querySelectorAll('main a[href]')]
    .some((a) => new RegExp(source).test(a.getAttribute('href'))), pattern.source);
  const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  return hrefs.map((h) => h.match(pattern)).find(Boolean)[1];
}

/** Opens a route and waits until its data arrived: no skeleton lines, no pending fetches. */
async function openSettled(page, shell, path) {
  await shell.open(path);
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.skeleton-line'));
  if (path === '/circle') {
    await openCircleMap(page);
    await openCoverageCard(page);
  }
}

/** Visible interactive elements smaller than 60×60 px, described for the failure message. */
function smallTargets(page) {
  return page.evaluate(() => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [tabindex]:not([tabindex="-1"])';
    return [...document.querySelectorAll(selector)]
      .filter((el) => {
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') return false;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) return false;
        // A skip link waits off-screen until it is focused; it is measured when shown.
        if (box.right <= 0 || box.bottom <= 0) return false;
        // A checkbox, radio button or (visually hidden) file input counts with its label, which
        // is the target a finger hits.
        const label = ['checkbox', 'radio', 'file'].includes(el.type) ? (el.labels?.[0] ?? el.closest('label')) : null;
        const target = (label ?? el).getBoundingClientRect();
        return target.width < 59.5 || target.height < 59.5;
      })
      .map((el) => {
        const box = el.getBoundingClientRect();
        const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim().slice(0, 30);
        return `<${el.tagName.toLowerCase()} class="${el.className?.baseVal ?? el.className}"> "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`;
      });
  });
}

describe('accessibility of every route', () => {
  const linli = useServerAndBrowser();

  for (const { who, account, requestsList, routes } of WHO) {
    for (const mode of ['normal', 'elder']) {
      it(`has no axe violations for ${who} in ${mode} mode${mode === 'elder' ? ', and elder-sized text and targets' : ''}`, async () => {
        const page = await newPhonePage(linli.browser);
        const shell = new Shell(page, linli.server.url);
        if (account) {
          await new LoginPage(page, linli.server.url).login(account);
          await page.waitForURL((url) => !url.pathname.startsWith('/login'));
        }
        if (mode === 'elder') {
          await shell.open('/requests');
          await shell.elderSwitch().click();
        }
        const ids = {
          ':request': requestsList && await firstLinkedId(page, shell, requestsList, /^\/requests\/(\d+)$/),
          ':topic': await firstLinkedId(page, shell, '/consultations', /^\/consultations\/(\d+)$/),
          ':facility': await page.evaluate(async () => {
            const { features: [first] } = await (await fetch('/api/v1/facilities')).json();
            return first.id ?? first.properties.id;
          }),
        };
        const problems = [];
        for (const route of routes) {
          const path = route.replace(/:[a-z]+/g, (key) => ids[key]);
          await openSettled(page, shell, path);
          const results = await new AxeBuilder({ page }).analyze();
          for (const v of results.violations) {
            problems.push(`${path}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
          }
          if (mode === 'elder') {
            const body = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
            if (body < 18) problems.push(`${path}: body text is ${body} px`);
            for (const small of await smallTargets(page)) problems.push(`${path}: small target ${small}`);
          }
        }
        assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
        assert.deepEqual(page.consoleErrors, []);
      });
    }
  }
});
