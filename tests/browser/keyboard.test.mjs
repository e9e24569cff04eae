// The two main flows with the keyboard alone: a request from sending to a rated resolution (the
// resident and the staff member each using only key presses), and a vote with its receipt.
// The test reads the page to know where focus is, but acts only with Tab, arrows, Space, Enter
// and typing; an address-bar navigation (`goto`) stands for typing a link the person was sent.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPhonePage, useServerAndBrowser } from './harness.mjs';

const PASSWORD = 'linli2026';

/** Whether focus is on an element with this role and accessible name. */
function focusedIs(page, role, name) {
  return page.getByRole(role, { name, exact: typeof name === 'string' })
    .evaluateAll((els) => els.includes(document.activeElement));
}

/** Presses Tab until the element with this role and name has focus. */
async function tabTo(page, role, name) {
  for (let presses = 0; presses < 120; presses++) {
    await page.keyboard.press('Tab');
    if (await focusedIs(page, role, name)) return;
  }
  const where = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`Tab never reached ${role} "${name}" (focus ends on ${where})`);
}

/** Tabs into a radio group, then moves with the arrow keys to the named choice, which checks it. */
async function chooseRadio(page, name) {
  await tabTo(page, 'radio', /./);
  for (let presses = 0; presses < 30; presses++) {
    if (await focusedIs(page, 'radio', name)) {
      // Arrow keys check as they move; Space checks the first one, where focus may start.
      await page.keyboard.press('Space');
      assert.ok(await page.getByRole('radio', { name, exact: true }).isChecked(), `${name} is checked`);
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the arrow keys never reached the radio button "${name}"`);
}

async function press(page, role, name) {
  await tabTo(page, role, name);
  await page.keyboard.press('Enter');
}

async function fill(page, label, text) {
  await tabTo(page, 'textbox', label);
  await page.keyboard.type(text);
}

async function logIn(page, url, phone) {
  await page.goto(`${url}/login`);
  await page.locator('main#main').getByRole('heading', { level: 1 }).waitFor();
  await fill(page, '手机号', phone);
  await fill(page, '密码', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

describe('the keyboard alone', () => {
  const linli = useServerAndBrowser();

  it('takes a request from sending to a rated resolution', async () => {
    const { url } = linli.server;
    const resident = await newPhonePage(linli.browser);
    await logIn(resident, url, '13900000002');
    await press(resident, 'link', '办事');
    await resident.waitForURL('**/requests');
    await press(resident, 'link', '我要办事');
    await resident.waitForURL('**/requests/new');
    await chooseRadio(resident, '物业维修');
    await fill(resident, '标题', '车库入口的灯不亮');
    await chooseRadio(resident, '楼道');
    await press(resident, 'button', '提交');
    await resident.waitForURL(/\/requests\/\d+\?sent=1/);
    await resident.getByRole('status').filter({ hasText: '已提交，受理编号' }).waitFor();
    const detailUrl = resident.url().replace(/\?.*$/, '');

    const staff = await newPhonePage(linli.browser);
    await logIn(staff, url, '13800000002');
    await staff.goto(`${url}/staff`);
    await press(staff, 'link', /车库入口的灯不亮/);
    await staff.waitForURL(detailUrl);
    const status = (text) => staff.locator('dd .badge').filter({ hasText: text }).waitFor();
    await press(staff, 'button', '受理');
    await status('已受理');
    await fill(staff, '派给谁（网格员或部门）', '网格员刘敏');
    await press(staff, 'button', '派单');
    await status('已派单');
    await press(staff, 'button', '开始办理');
    await status('办理中');
    await fill(staff, /^说明/, '换了灯管');
    await press(staff, 'button', '办结');
    await status('已办结，待评价');

    await resident.goto(detailUrl);
    await press(resident, 'button', '满意');
    await resident.locator('dd .badge').filter({ hasText: '已评价' }).waitFor();
    assert.deepEqual(resident.consoleErrors, []);
    assert.deepEqual(staff.consoleErrors, []);
  });

  it('casts a vote and shows its receipt', async () => {
    const { url } = linli.server;
    const owner = await newPhonePage(linli.browser);
    await logIn(owner, url, '13900000001');
    await press(owner, 'link', '议事');
    await owner.waitForURL('**/consultations');
    await press(owner, 'link', /电动自行车集中充电棚/);
    await owner.getByRole('heading', { name: /电动自行车集中充电棚/ }).waitFor();
    await chooseRadio(owner, '赞成');
    await press(owner, 'button', '投票');
    await owner.locator('.receipt-code code').waitFor();
    assert.match(await owner.locator('.receipt-code code').innerText(), /\S{6,}/);
    assert.deepEqual(owner.consoleErrors, []);
  });
});
