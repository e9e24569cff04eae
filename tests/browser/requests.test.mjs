// 办事 in the browser: a resident sends a request, staff handle it, the resident is not
// satisfied, it is handled again, and the resident closes it satisfied.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPhonePage, screenshot, useServerAndBrowser } from './harness.mjs';
import { LoginPage, RequestDetailPage, RequestFormPage } from './pages.mjs';

/// A small PNG, as a phone's photo picker would hand it over.
const PHOTO = {
  name: 'corridor.png',
  mimeType: 'image/png',
  buffer: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGM4EaBBEmIY1TCqYfhqAAC/xkAQB0UFtwAAAABJRU5ErkJggg==',
    'base64',
  ),
};

/// Whether every photo on the page has loaded as a picture.
async function photosLoaded(page) {
  return page.locator('.photo-previews img').evaluateAll((imgs) => imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0));
}

describe('a service request', () => {
  const linli = useServerAndBrowser();

  it('goes from sending to a satisfied close, through an unsatisfied round', async () => {
    const resident = await newPhonePage(linli.browser);
    const staff = await newPhonePage(linli.browser);
    await new LoginPage(resident, linli.server.url).login({ phone: '13900000001', password: 'linli2026' });
    await resident.waitForURL('**/me');
    await new LoginPage(staff, linli.server.url).login({ phone: '13800000002', password: 'linli2026' });
    await staff.waitForURL('**/me');

    // The public figures before: nobody needs to log in to read them.
    const visitor = await newPhonePage(linli.browser);
    const received = async () => {
      await visitor.goto(`${linli.server.url}/requests/figures`);
      const cell = visitor.locator('.figure-grid div').filter({ hasText: '收到' }).locator('dd');
      return Number(await cell.innerText());
    };
    const receivedBefore = await received();

    // The form refuses what the server would, before sending.
    const form = new RequestFormPage(resident, linli.server.url);
    await form.open('/requests/new');
    await resident.getByRole('button', { name: '提交', exact: true }).click();
    await resident.getByText('此项必填').first().waitFor();
    await screenshot(resident, 'request-form-errors-normal');

    // A half-written request survives closing the page: it is kept as a draft on the device.
    await resident.getByRole('radio', { name: '安全隐患' }).check();
    await resident.getByRole('radio', { name: '消防通道堵塞' }).check();
    await resident.getByLabel('标题').fill('草稿标题');
    await resident.reload();
    await resident.getByLabel('标题').waitFor();
    assert.equal(await resident.getByLabel('标题').inputValue(), '草稿标题');
    assert.ok(await resident.getByRole('radio', { name: '消防通道堵塞' }).isChecked());

    await form.submit({
      category: '物业维修',
      title: '三楼楼道灯坏了',
      description: '晚上楼道很黑，老人上下楼不安全。',
      choices: ['楼道'],
      texts: { '几楼（选填）': '3' },
      photos: [PHOTO],
    });
    await resident.waitForURL(/\/requests\/\d+\?sent=1/);
    const detail = new RequestDetailPage(resident, linli.server.url);
    await resident.getByRole('status').filter({ hasText: '已提交，受理编号' }).waitFor();
    const number = await detail.trackingNumber().innerText();
    assert.match(number, /^LL-\d{4}-\d{6}$/);
    assert.equal(await detail.status().innerText(), '待受理');
    // The answers to the category's questions, with their labels.
    await resident.getByRole('definition').filter({ hasText: '楼道' }).waitFor();
    // The photo came through, re-encoded, as a thumbnail on the timeline.
    await resident.locator('.timeline .photo-previews img').first().waitFor();
    assert.ok(await photosLoaded(resident), 'the photo thumbnail loads');
    await screenshot(resident, 'request-sent-normal');
    const path = new URL(resident.url()).pathname;

    // Staff find it on the desk, among the requests waiting for a response.
    const desk = new RequestDetailPage(staff, linli.server.url);
    await desk.open('/me');
    await staff.getByRole('link', { name: '打开诉求工作台' }).click();
    await staff.locator('main#main').getByRole('heading', { level: 1, name: '诉求工作台' }).waitFor();
    await staff.getByLabel('状态').selectOption({ label: '待受理' });
    await staff.getByRole('link', { name: /三楼楼道灯坏了/ }).click();
    await staff.waitForURL(`**${path}`);
    await staff.locator('.timeline .photo-previews img').first().waitFor();
    assert.ok(await photosLoaded(staff), 'staff see the photo');
    await screenshot(staff, 'staff-request-normal');
    await desk.act('受理');
    await desk.waitForStatus('已受理');
    // An internal note stays with staff.
    await staff.getByLabel('备注内容').fill('住户电话打不通，明天再联系');
    await staff.getByLabel('内部备注（居民看不到）').check();
    await staff.getByRole('button', { name: '添加备注' }).click();
    await staff.getByText('住户电话打不通，明天再联系').waitFor();
    await staff.getByText('备注（内部）').waitFor();
    await desk.act('派单');
    await staff.getByText('派单时请写明经办人或部门').first().waitFor();
    await desk.act('派单', { handler: '网格员刘敏' });
    await desk.waitForStatus('已派单');
    await desk.act('开始办理');
    await desk.waitForStatus('办理中');
    await desk.act('办结', { note: '已更换灯泡' });
    await desk.waitForStatus('已办结，待评价');

    // The resident is not satisfied: it goes back to be handled again.
    await detail.open(path);
    await detail.act('不满意，重新办理', { note: '灯还是不亮' });
    await detail.waitForStatus('重新办理');
    await desk.open(path);
    await desk.act('开始办理');
    await desk.waitForStatus('办理中');
    await desk.act('办结', { note: '更换了线路' });
    await desk.waitForStatus('已办结，待评价');

    await detail.open(path);
    await detail.act('满意');
    await detail.waitForStatus('已评价');
    const timeline = await resident.getByRole('list').filter({ hasText: '评价：满意' }).innerText();
    assert.match(timeline, /灯还是不亮/);
    await screenshot(resident, 'request-closed-normal');
    assert.equal(await resident.getByText('住户电话打不通').count(), 0, 'the internal note is not shown to the resident');

    // It is on the resident's list, closed.
    await detail.open('/requests');
    await resident.getByRole('link', { name: /三楼楼道灯坏了/ }).getByText('已评价').waitFor();
    // Sent requests leave no draft behind.
    await form.open('/requests/new');
    await resident.getByLabel('标题').waitFor();
    assert.equal(await resident.getByLabel('标题').inputValue(), '');
    assert.deepEqual(resident.consoleErrors, []);

    // The figures page counts it.
    assert.equal(await received(), receivedBefore + 1);
    await visitor.getByRole('table').getByRole('rowheader', { name: '物业维修' }).waitFor();
    await screenshot(visitor, 'figures-normal');
    assert.deepEqual(visitor.consoleErrors, []);
  });

  it('offers similar requests nearby, and "me too" follows one instead of sending another', async () => {
    const owner = await newPhonePage(linli.browser);
    const tenant = await newPhonePage(linli.browser);
    await new LoginPage(owner, linli.server.url).login({ phone: '13900000001', password: 'linli2026' });
    await owner.waitForURL('**/me');
    await new LoginPage(tenant, linli.server.url).login({ phone: '13900000002', password: 'linli2026' });
    await tenant.waitForURL('**/me');
    const title = '单元门禁坏了，门关不上';
    await new RequestFormPage(owner, linli.server.url).submit({ category: '物业维修', title, choices: ['楼道'] });
    await owner.waitForURL(/\/requests\/\d+\?sent=1/);
    const path = new URL(owner.url()).pathname;

    // A neighbour from another compound reports the same door, picking its building on the
    // map: the owner's request is offered before sending.
    const form = new RequestFormPage(tenant, linli.server.url);
    await form.open('/requests/new');
    await tenant.getByRole('radio', { name: '物业维修' }).check();
    await tenant.getByRole('radio', { name: '在小区地图上选' }).check();
    await tenant.getByLabel('靠近哪栋楼').selectOption({ label: '翠柳苑 1 幢' });
    await tenant.locator('.map-picked').waitFor();
    const offer = tenant.getByRole('region', { name: '附近已有类似的诉求' }).getByRole('listitem').filter({ hasText: title });
    await offer.waitFor();
    await screenshot(tenant, 'request-similar-normal');
    await offer.getByRole('button', { name: '附议' }).click();
    await tenant.waitForURL(`**${path}?followed=1`);
    await tenant.getByRole('status').filter({ hasText: '已附议' }).waitFor();
    // The follower sees the progress, not what the author wrote.
    assert.equal(await tenant.locator('.description').count(), 0);
    assert.equal(await tenant.getByRole('button', { name: '添加备注' }).count(), 0, 'a follower cannot add notes');
    await tenant.goto(`${linli.server.url}/requests`);
    await tenant.getByRole('link', { name: new RegExp(title) }).getByText('附议').waitFor();

    // Anyone can see it on the public list, without the author's details.
    const visitor = await newPhonePage(linli.browser);
    await visitor.goto(`${linli.server.url}/requests/public`);
    await visitor.locator('main#main').getByRole('heading', { level: 1, name: '社区诉求公示' }).waitFor();
    await visitor.getByText(title).waitFor();
    assert.ok((await visitor.locator('.map-mark').count()) > 0, 'requests are on the map');
    assert.equal(await visitor.getByText('13900000001').count(), 0);
    await screenshot(visitor, 'requests-public-normal');
    for (const page of [owner, tenant, visitor]) assert.deepEqual(page.consoleErrors, []);
  });

  it('shows staff the number masked, opens it for a stated reason, and logs it for admins', async () => {
    const resident = await newPhonePage(linli.browser);
    const staff = await newPhonePage(linli.browser);
    const admin = await newPhonePage(linli.browser);
    for (const [page, phone] of [[resident, '13900000001'], [staff, '13800000002'], [admin, '13800000001']]) {
      await new LoginPage(page, linli.server.url).login({ phone, password: 'linli2026' });
      await page.waitForURL('**/me');
    }
    const title = '厨房水管漏水，需要上门';
    await new RequestFormPage(resident, linli.server.url).submit({
      category: '物业维修', title, choices: ['楼道'], contact: '可以打电话给我',
    });
    await resident.waitForURL(/\/requests\/\d+\?sent=1/);
    const path = new URL(resident.url()).pathname;
    const number = await new RequestDetailPage(resident, linli.server.url).trackingNumber().innerText();
    // The resident sees no contact card about themselves.
    assert.equal(await resident.getByRole('heading', { name: '联系居民' }).count(), 0);

    const desk = new RequestDetailPage(staff, linli.server.url);
    await desk.open(path);
    const card = staff.getByRole('region', { name: '联系居民' });
    await card.getByText('139****0001').waitFor();
    assert.equal(await staff.getByText('13900000001').count(), 0, 'the number is masked until opened');
    // A reason first: nothing is opened without one.
    await card.getByRole('button', { name: '查看完整号码' }).click();
    await card.getByText('此项必填').waitFor();
    assert.equal(await staff.getByText('13900000001').count(), 0);
    await card.getByRole('radio', { name: '预约上门' }).check();
    await card.getByRole('button', { name: '查看完整号码' }).click();
    await card.getByRole('status').filter({ hasText: '已记入访问日志' }).waitFor();
    const call = card.getByRole('link', { name: '拨打 13900000001' });
    assert.equal(await call.getAttribute('href'), 'tel:13900000001');
    await screenshot(staff, 'staff-contact-opened-normal');

    // The admin finds the opening at the top of the access log.
    await admin.goto(`${linli.server.url}/staff`);
    await admin.getByRole('link', { name: '个人信息访问日志' }).click();
    await admin.waitForURL('**/staff/access-log');
    const newest = admin.getByRole('list', { name: '访问记录，最新的在前' }).getByRole('listitem').first();
    await newest.getByRole('link', { name: number }).waitFor();
    assert.match(await newest.innerText(), /预约上门/);
    assert.equal(await admin.getByText('13900000001').count(), 0, 'the log does not show the number');
    await screenshot(admin, 'access-log-normal');
    // Staff who are not admins are told the log is not theirs.
    await staff.goto(`${linli.server.url}/staff/access-log`);
    await staff.getByText('只有管理员可以查看访问日志。').waitFor();
    for (const page of [resident, staff, admin]) assert.deepEqual(page.consoleErrors, []);
  });
});
