// A resident's first visit, in the browser: register → bind a household → log out → log in.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectFocusOn, newPhonePage, screenshot, useServerAndBrowser } from './harness.mjs';
import { BindPage, LoginPage, MePage, RegisterPage, Shell } from './pages.mjs';

describe('a new resident', () => {
  const linli = useServerAndBrowser();

  it('registers, binds a household, logs out and logs back in', async () => {
    const page = await newPhonePage(linli.browser);
    const phone = '13712345678';
    const password = 'neighbour2026';
    const owner = linli.server.codes.find((c) => c.relation === 'owner');
    assert.ok(owner, 'the server printed an unused owner code');

    await new RegisterPage(page, linli.server.url).register({ phone, password, name: '李阿姨' });
    // Registration leads straight to binding, because voting depends on it.
    await page.waitForURL('**/me/household');
    const bind = new BindPage(page, linli.server.url);
    await screenshot(page, 'bind-normal');
    await bind.bind(owner.code.toLowerCase().replace('-', ' '));
    await bind.success().waitFor();
    assert.match(await bind.success().innerText(), /业主/);

    const me = new MePage(page, linli.server.url);
    await me.tab('我的').click();
    await me.households().getByText('业主').waitFor();
    assert.match(await page.getByRole('main').innerText(), /13712345678/);
    assert.match(await page.getByRole('main').innerText(), /李阿姨/);
    await screenshot(page, 'me-signed-in-normal');

    await me.logoutButton().click();
    await page.getByRole('link', { name: '登录' }).first().waitFor();

    await new LoginPage(page, linli.server.url).login({ phone, password });
    await page.waitForURL('**/me');
    await me.households().getByText('业主').waitFor();
    assert.deepEqual(page.consoleErrors, []);
  });

  it('logs out on every device at once', async () => {
    const phone = '13712340000';
    const password = 'neighbour2026';
    const home = await newPhonePage(linli.browser);
    await new RegisterPage(home, linli.server.url).register({ phone, password });
    await home.waitForURL('**/me/household');
    // The same account on a second phone.
    const lost = await newPhonePage(linli.browser);
    await new LoginPage(lost, linli.server.url).login({ phone, password });
    await lost.waitForURL('**/me');
    const lostMe = new MePage(lost, linli.server.url);
    await lostMe.logoutButton().waitFor();

    const me = new MePage(home, linli.server.url);
    await me.open();
    await me.logoutEverywhereButton().click();
    await home.getByRole('link', { name: '登录' }).first().waitFor();

    // The other phone is signed out too, once it asks the server again.
    await lostMe.open();
    await lost.getByRole('link', { name: '登录' }).first().waitFor();
    assert.equal(await lostMe.logoutButton().count(), 0);
    assert.deepEqual(home.consoleErrors.filter((e) => !/status of 401/.test(e)), []);
  });

  it('shows the rule that was broken, in Chinese, before anything is sent', async () => {
    const page = await newPhonePage(linli.browser);
    const register = new RegisterPage(page, linli.server.url);
    await register.register({ phone: '12345', password: 'short', consent: false });
    await page.getByText('请输入11位中国大陆手机号').waitFor();
    await page.getByText('密码至少需要8位').waitFor();
    await page.getByText('请先阅读并同意隐私说明。').waitFor();
    assert.equal(await page.getByLabel('我已阅读并同意以上隐私说明').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('手机号').getAttribute('aria-invalid'), 'true');
    // Focus lands on the first field to fix.
    await expectFocusOn(page, 'phone');
    assert.ok(page.url().endsWith('/register'));
    await screenshot(page, 'register-errors-normal');
  });

  it('downloads my data, corrects my name, and deletes my account', async () => {
    const page = await newPhonePage(linli.browser);
    const phone = '13700000077';
    const password = 'mydata2026';
    await new RegisterPage(page, linli.server.url).register({ phone, password, name: '钱阿姨' });
    await page.waitForURL('**/me/household');
    const me = new MePage(page, linli.server.url);
    await me.open();

    const { name, data } = await me.downloadMyData();
    assert.equal(name, 'linli-my-data.json');
    assert.equal(data.account.phone, phone);
    assert.equal(data.account.display_name, '钱阿姨');
    assert.ok(data.privacy_consent_at > 0);

    await me.correctName('钱阿姨（302）');
    await page.getByRole('status').filter({ hasText: '称呼已更正' }).waitFor();
    await page.getByText('钱阿姨（302）', { exact: true }).waitFor();
    await screenshot(page, 'me-own-data-normal');

    await me.deleteAccount('not-my-password1');
    await page.getByText('密码不对，请重新输入。').first().waitFor();
    await me.deleteAccount(password);
    await page.getByRole('link', { name: '登录' }).first().waitFor();
    assert.equal(await me.logoutButton().count(), 0);

    await new LoginPage(page, linli.server.url).login({ phone, password });
    await new Shell(page, linli.server.url).alert().getByText('手机号或密码不对').waitFor();
    assert.deepEqual(page.consoleErrors.filter((e) => !/status of (401|422)/.test(e)), []);
  });

  it('says the number is taken, and that a password is wrong', async () => {
    const page = await newPhonePage(linli.browser);
    await new RegisterPage(page, linli.server.url).register({ phone: '13900000001', password: 'another2026' });
    await page.getByText('这个手机号已经注册过了').first().waitFor();

    const login = new LoginPage(page, linli.server.url);
    await login.login({ phone: '13900000001', password: 'wrong2026x' });
    await new Shell(page, linli.server.url).alert().getByText('手机号或密码不对').waitFor();
    await screenshot(page, 'login-error-normal');
  });

  it('catches a mistyped binding code on the phone', async () => {
    const page = await newPhonePage(linli.browser);
    await new LoginPage(page, linli.server.url).login({ phone: '13900000003', password: 'linli2026' });
    await page.waitForURL('**/me');
    const bind = new BindPage(page, linli.server.url);
    await bind.open('/me/household');
    const member = linli.server.codes.find((c) => c.relation === 'member');
    // Change one character: the check character must catch it.
    const last = member.code.at(-1);
    const typo = member.code.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    await bind.bind(typo);
    await page.getByText('绑定码好像输错了一位').first().waitFor();
  });
});
