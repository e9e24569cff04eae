// 议事 in the browser: a resident proposes a lift for her stairwell, a neighbour co-signs, staff
// put it on the agenda, residents and staff discuss, staff open an Art. 278 (major) owners' vote,
// nine owners vote, staff close it, and the result page, the printable notice and a receipt
// check all show the hand-checked figures.
//
// The stairwell 翠柳苑 1 幢 1 单元 of the demo community has 12 units: rooms x01 of 46.29 m²
// and x02 of 70.59 m², 701.28 m² in all. Nine owners vote (2/3 of 12 is 8: quorum by units
// met), holding 513.81 m² (2/3 of the area is 467.52: met). Seven vote yes, holding 421.23 m²:
// 7/9 ≥ 3/4 and 421.23/513.81 = 82% ≥ 3/4, so it PASSES.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectFocusOn, newPhonePage, screenshot, useServerAndBrowser } from './harness.mjs';
import { LoginPage } from './pages.mjs';

const PASSWORD = 'linli2026';
const TITLE = '1单元加装电梯';

async function loggedIn(browser, url, phone) {
  const page = await newPhonePage(browser);
  await new LoginPage(page, url).login({ phone, password: PASSWORD });
  await page.waitForURL('**/me');
  return page;
}

/// A new owner of a demo unit: registered and bound through the API, as the account test
/// already covers those pages.
async function newOwner(browser, url, phone, code) {
  const page = await newPhonePage(browser);
  await page.goto(url);
  const register = await page.request.post(`${url}/api/v1/auth/register`, { data: { phone, password: PASSWORD, privacy_consent: true } });
  assert.equal(register.status(), 201, await register.text());
  const bind = await page.request.post(`${url}/api/v1/me/households`, { data: { code } });
  assert.equal(bind.status(), 201, await bind.text());
  return page;
}

async function vote(page, url, topicUrl, choice) {
  await page.goto(url + topicUrl);
  await page.getByRole('heading', { name: TITLE }).waitFor();
  await page.getByRole('radio', { name: choice, exact: true }).check();
  await page.getByRole('button', { name: '投票', exact: true }).click();
  const receipt = page.locator('.receipt-code code');
  await receipt.waitFor();
  return receipt.innerText();
}

describe('a consultation', () => {
  const linli = useServerAndBrowser();

  it('goes from proposal to a published, checkable Art. 278 result', async () => {
    const { url } = linli.server;
    // 李阿姨, owner of 301, proposes for her stairwell.
    const proposer = await loggedIn(linli.browser, url, '13900000001');
    await proposer.goto(`${url}/consultations`);
    await proposer.getByRole('link', { name: '提出议题' }).click();
    await proposer.getByRole('button', { name: '提交议题', exact: true }).click();
    await proposer.getByText('此项必填').first().waitFor();
    await expectFocusOn(proposer, 'title');
    await proposer.getByLabel('议题', { exact: true }).fill(TITLE);
    await proposer.getByLabel('背景和理由').fill('本单元六层无电梯，老人上下楼困难。拟申请政府补贴加装电梯，费用按楼层分摊。');
    await proposer.getByRole('textbox', { name: '方案 1' }).fill('加装电梯');
    await proposer.getByRole('textbox', { name: '方案 2' }).fill('暂不加装');
    await proposer.getByRole('radio', { name: /本单元/ }).check();
    await screenshot(proposer, 'consultation-propose-normal');
    await proposer.getByRole('button', { name: '提交议题', exact: true }).click();
    await proposer.waitForURL(/\/consultations\/\d+\?proposed=1/);
    await proposer.getByText('议题已提出').waitFor();
    const topicUrl = new URL(proposer.url()).pathname;

    // A neighbour (owner of 401) co-signs; the count goes up.
    const neighbour = await loggedIn(linli.browser, url, '13605711001');
    await neighbour.goto(url + topicUrl);
    await neighbour.getByText(/附议 1\/\d+ 户/).waitFor();
    await neighbour.getByRole('button', { name: '我家附议', exact: true }).click();
    await neighbour.getByText('你家已附议。').waitFor();
    await neighbour.getByText(/附议 2\/\d+ 户/).waitFor();

    // Staff put it on the agenda, recording two of the four review steps.
    const staff = await loggedIn(linli.browser, url, '13800000002');
    await staff.goto(url + topicUrl);
    await staff.getByRole('checkbox', { name: '两委会商议', exact: true }).check();
    await staff.getByRole('checkbox', { name: '居民代表会议决议', exact: true }).check();
    await staff.getByRole('button', { name: '列入议程', exact: true }).click();
    await staff.locator('.timeline').getByText('居民代表会议决议').waitFor();
    await staff.getByText('已列入议程').first().waitFor();

    // Staff attach the design for everyone to read.
    await staff.getByLabel('文件名称').fill('加装电梯设计方案');
    await staff.getByLabel(/选择文件/).setInputFiles({ name: 'design.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% lift design\n') });
    await staff.getByRole('button', { name: '上传', exact: true }).click();
    const design = staff.getByRole('link', { name: '加装电梯设计方案' });
    await design.waitFor();
    const pdf = await staff.request.get(new URL(await design.getAttribute('href'), url).href);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');

    // Discussion: a resident asks, staff answer officially in reply.
    await neighbour.reload();
    await neighbour.getByRole('textbox', { name: '发表意见' }).fill('一楼住户的采光怎么保证？');
    await neighbour.getByRole('button', { name: '发表', exact: true }).click();
    await neighbour.locator('.comment-body', { hasText: '采光' }).waitFor();
    await staff.reload();
    await staff.getByRole('button', { name: '回复', exact: true }).click();
    await staff.getByRole('textbox', { name: '你的回复' }).fill('设计方案已避开一楼窗户，图纸将在议事会上公示。');
    await staff.getByRole('button', { name: '回复', exact: true }).click();
    await staff.locator('.replies .comment.official', { hasText: '图纸' }).waitFor();
    // Another resident reports the question to the moderators; staff see the count.
    await proposer.goto(url + topicUrl);
    await proposer.locator('.comment', { hasText: '采光' }).getByRole('button', { name: '举报', exact: true }).click();
    await proposer.getByText('已举报，管理员会处理。').waitFor();
    await staff.reload();
    await staff.getByText('被举报 1 次').waitFor();

    // Staff open an owners' vote under Art. 278 (major).
    await staff.getByLabel('表决事项').fill('是否同意本单元加装电梯？');
    await staff.getByRole('radio', { name: /重大事项/ }).check();
    assert.ok(await staff.getByRole('radio', { name: /范围内的业主/ }).isChecked());
    await screenshot(staff, 'consultation-open-vote-normal');
    await staff.getByRole('button', { name: '开始表决', exact: true }).click();
    await staff.getByText('票数在表决结束后公布。').waitFor();

    // Nine owners vote: seven yes, one no, one abstains. The tally stays hidden meanwhile.
    const owner101 = await newOwner(linli.browser, url, '13700000101', linli.server.codes[0].code);
    const owner102 = await newOwner(linli.browser, url, '13700000102', linli.server.codes[2].code);
    const receipt = await vote(proposer, url, topicUrl, '赞成');
    assert.match(receipt, /\S{20,}/);
    await proposer.getByText('你家已投票').waitFor();
    await screenshot(proposer, 'consultation-voted-normal');
    await vote(owner101, url, topicUrl, '反对');
    await vote(owner102, url, topicUrl, '赞成');
    await vote(neighbour, url, topicUrl, '赞成');
    for (const [phone, choice] of [['13605711002', '弃权'], ['13605711003', '赞成'], ['13605711004', '赞成'], ['13605711005', '赞成'], ['13605711007', '赞成']]) {
      const page = await loggedIn(linli.browser, url, phone);
      await vote(page, url, topicUrl, choice);
      await page.context().close();
    }
    const hidden = await (await proposer.request.get(`${url}/api${topicUrl.replace('/consultations', '/v1/consultations')}`)).json();
    assert.equal(hidden.vote.tally, null);
    // A resident of another building is not on the roll.
    const outsider = await loggedIn(linli.browser, url, '13900000002');
    await outsider.goto(url + topicUrl);
    await outsider.getByText('你家不在这次表决的名单上。').waitFor();

    // Staff close the vote: the result is published.
    await staff.reload();
    await staff.getByRole('button', { name: '结束表决并公示结果', exact: true }).click();
    const result = staff.locator('.result');
    await result.locator('.verdict', { hasText: '通过' }).waitFor();
    const text = await result.innerText();
    assert.match(text, /参与户数\s+9 \/ 12 户（75\.0%）\s+要求不少于 2\/3\s+✓ 达到/);
    assert.match(text, /参与面积\s+513\.81 \/ 701\.28 ㎡（73\.3%）\s+要求不少于 2\/3\s+✓ 达到/);
    assert.match(text, /赞成户数（占参与）\s+7 \/ 9 户（77\.8%）\s+要求不少于 3\/4\s+✓ 达到/);
    assert.match(text, /赞成面积（占参与）\s+421\.23 \/ 513\.81 ㎡（82\.0%）\s+要求不少于 3\/4\s+✓ 达到/);
    assert.doesNotMatch(text, /未通过/);
    // Bars by units and by area: 7 of 12 units voted yes.
    assert.equal(await result.locator('figure.bars').count(), 2);
    assert.equal(await result.locator('figure.bars').first().locator('.bar-yes .fill').getAttribute('width'), String(Math.floor(7 * 1000 / 12)));
    await screenshot(staff, 'consultation-result-normal');

    // The printable notice renders with the same verdict, without the app's chrome in print.
    await proposer.goto(url + topicUrl);
    await proposer.getByRole('link', { name: '打印公告' }).click();
    await proposer.getByRole('heading', { name: '表决结果公告' }).waitFor();
    await proposer.locator('.verdict', { hasText: '通过' }).waitFor();
    await proposer.emulateMedia({ media: 'print' });
    assert.equal(await proposer.locator('.tab-bar').isVisible(), false);
    assert.equal(await proposer.getByRole('button', { name: '打印', exact: true }).isVisible(), false);
    await screenshot(proposer, 'consultation-notice-print');
    await proposer.emulateMedia({ media: 'screen' });

    // The proposer's receipt, kept on her phone, is among the published hashes; a typo is not.
    await proposer.goto(url + topicUrl);
    const input = proposer.getByLabel('回执码');
    assert.equal(await input.inputValue(), receipt);
    await proposer.getByRole('button', { name: '核对', exact: true }).click();
    await proposer.getByText('找到了：这张选票已计入。').waitFor();
    await input.fill(`${receipt.slice(0, -1)}x`);
    await proposer.getByRole('button', { name: '核对', exact: true }).click();
    await proposer.getByText('没有找到这个回执').waitFor();

    // A correction: 301's ballot (46.29 m², yes) turns out not to be the owner's own. Staff void
    // it; revision 2 is published beside revision 1. Now 8 of 12 units take part (exactly 2/3),
    // holding 467.52 m² (exactly 2/3 of 701.28: met), and 6 of 8 say yes (exactly 3/4) with
    // 374.94 m² (80.2%): it still passes.
    await staff.reload();
    await staff.getByText('更正结果', { exact: true }).click();
    await staff.getByRole('button', { name: '发布更正', exact: true }).click();
    await staff.locator('.correction .field-error', { hasText: '此项必填' }).first().waitFor();
    await expectFocusOn(staff, 'correction_unit');
    await staff.getByLabel('房屋', { exact: true }).selectOption({ label: '翠柳苑 1号楼1单元301室 · 46.29 m²（已计票）' });
    await staff.getByRole('radio', { name: '选票无效（如非业主本人投票）' }).check();
    await staff.getByLabel('更正原因', { exact: true }).fill('经核实，一张选票不是业主本人所投，予以作废。');
    await staff.getByRole('button', { name: '发布更正', exact: true }).click();
    const notice = staff.locator('.correction-notice');
    await notice.getByText('结果已更正：现为第 2 版').waitFor();
    await notice.getByText('更正原因：经核实，一张选票不是业主本人所投，予以作废。').waitFor();
    const corrected = await staff.locator('.result').first().innerText();
    assert.match(corrected, /参与户数\s+8 \/ 12 户（66\.7%）\s+要求不少于 2\/3\s+✓ 达到/);
    assert.match(corrected, /参与面积\s+467\.52 \/ 701\.28 ㎡（66\.7%）\s+要求不少于 2\/3\s+✓ 达到/);
    assert.match(corrected, /赞成户数（占参与）\s+6 \/ 8 户（75\.0%）\s+要求不少于 3\/4\s+✓ 达到/);
    assert.match(corrected, /赞成面积（占参与）\s+374\.94 \/ 467\.52 ㎡（80\.2%）\s+要求不少于 3\/4\s+✓ 达到/);
    // Revision 1 stays readable with the figures it was published with.
    const revisions = staff.locator('.revisions .revision');
    assert.equal(await revisions.count(), 2);
    assert.match(await revisions.nth(0).innerText(), /第 2 版\s+现行 · .* · 作废一张选票 · 通过/);
    await revisions.nth(1).getByText('查看第 1 版的数据').click();
    const first = await revisions.nth(1).locator('.result').innerText();
    assert.match(first, /第 1 版结果/);
    assert.match(first, /参与户数\s+9 \/ 12 户（75\.0%）/);
    await screenshot(staff, 'consultation-corrected-normal');
    // Anyone sees the correction; only staff see the form; the notice says it is a correction.
    const anyone = await newPhonePage(linli.browser);
    await anyone.goto(url + topicUrl);
    await anyone.locator('.correction-notice').getByText('结果已更正：现为第 2 版').waitFor();
    assert.equal(await anyone.locator('details.correction').count(), 0);
    await anyone.goto(`${url + topicUrl}/notice`);
    await anyone.getByRole('heading', { name: '表决结果更正公告（第 2 版）' }).waitFor();
    await anyone.getByText(/第 1 版于 .* 公布，结论为「通过」。/).waitFor();
    assert.deepEqual(anyone.consoleErrors, []);
    await anyone.context().close();

    // Follow-up (民事民评): staff report progress, then the proposer's household rates it.
    await staff.reload();
    await staff.getByLabel('实施进展（会公开）').fill('已完成施工招标，预计下月开工。');
    await staff.getByRole('button', { name: '发布进展', exact: true }).click();
    await staff.locator('.timeline').getByText('已完成施工招标').waitFor();
    await proposer.reload();
    await proposer.getByRole('radio', { name: /4 星/ }).check();
    await proposer.getByRole('button', { name: '提交评价', exact: true }).click();
    await proposer.getByText('1 户评价，平均 4.00 星').waitFor();
    await proposer.getByText('你家的评价：4 星，可以修改。').waitFor();

    // Elder mode on the result.
    await proposer.evaluate(() => localStorage.setItem('linli.elder_mode', 'on'));
    await proposer.reload();
    await proposer.locator('.verdict').first().waitFor();
    await screenshot(proposer, 'consultation-result-elder');

    for (const page of [proposer, neighbour, staff, owner101, owner102, outsider]) {
      assert.deepEqual(page.consoleErrors, []);
    }
  });
});

describe('a ranked consultation', () => {
  const linli = useServerAndBrowser();

  it('takes a ranking on the ballot and shows the runoff live', async () => {
    const { url } = linli.server;
    const proposer = await loggedIn(linli.browser, url, '13900000001');
    await proposer.goto(`${url}/consultations/new`);
    await proposer.getByLabel('议题', { exact: true }).fill('楼道粉刷颜色');
    await proposer.getByRole('textbox', { name: '方案 1' }).fill('米白');
    await proposer.getByRole('textbox', { name: '方案 2' }).fill('浅灰');
    await proposer.getByRole('button', { name: '再加一个方案', exact: true }).click();
    await proposer.getByRole('textbox', { name: '方案 3' }).fill('淡黄');
    await proposer.getByRole('radio', { name: /本单元/ }).check();
    await proposer.getByRole('button', { name: '提交议题', exact: true }).click();
    await proposer.waitForURL(/\/consultations\/\d+\?proposed=1/);
    const topicUrl = new URL(proposer.url()).pathname;

    const staff = await loggedIn(linli.browser, url, '13800000002');
    await staff.goto(url + topicUrl);
    await staff.getByRole('button', { name: '列入议程', exact: true }).click();
    await staff.getByLabel('表决事项').fill('请按喜好给颜色排序');
    await staff.getByRole('radio', { name: /排序/ }).check();
    await staff.getByRole('checkbox', { name: '表决期间公开实时票数' }).check();
    await staff.getByRole('button', { name: '开始表决', exact: true }).click();
    await staff.getByText('实时票数').waitFor();

    // Two ranks the same is refused on the phone, before sending.
    await proposer.goto(url + topicUrl);
    await proposer.getByLabel('“浅灰”的名次').selectOption('1');
    await proposer.getByLabel('“米白”的名次').selectOption('1');
    await proposer.getByRole('button', { name: '投票', exact: true }).click();
    await proposer.getByText('每个名次只能给一个方案。').waitFor();
    await proposer.getByLabel('“米白”的名次').selectOption('2');
    await screenshot(proposer, 'consultation-ranked-ballot-normal');
    await proposer.getByRole('button', { name: '投票', exact: true }).click();
    await proposer.locator('.receipt-code code').waitFor();

    // Live rounds: one ballot, first preference 浅灰, which wins in round 1.
    await proposer.reload();
    const rounds = proposer.locator('table.rounds');
    await rounds.waitFor();
    assert.match(await rounds.innerText(), /第 1 轮\s+0\s+1\s+0\s+0/);
    await screenshot(proposer, 'consultation-ranked-live-normal');
    assert.deepEqual(proposer.consoleErrors, []);
    assert.deepEqual(staff.consoleErrors, []);
  });
});

describe('an owner of two units', () => {
  const linli = useServerAndBrowser();

  it('casts a ballot for each unit, each with its own receipt', async () => {
    const { url, codes } = linli.server;
    // Staff put the demo's roof proposal (翠柳苑 1幢) to an owners' vote.
    const staff = await loggedIn(linli.browser, url, '13800000002');
    const topics = await (await staff.request.get(`${url}/api/v1/consultations`)).json();
    const roof = topics.find((t) => t.title.includes('屋顶防水'));
    const api = `${url}/api/v1/consultations/${roof.id}`;
    assert.equal((await staff.request.post(`${api}/review`, { data: { accept: true } })).status(), 200);
    const opened = await staff.request.post(`${api}/vote`, { data: {
      question: '是否同意使用专项维修资金翻修1幢屋顶防水？', electorate: 'owners',
      rule: { kind: 'simple_majority' }, closes_at: Math.floor(Date.now() / 1000) + 86400 } });
    assert.equal(opened.status(), 201, await opened.text());
    // A new owner of two of its units.
    const owners = codes.filter((c) => c.relation === 'owner');
    const page = await newOwner(linli.browser, url, '13700000201', owners[0].code);
    const bind = await page.request.post(`${url}/api/v1/me/households`, { data: { code: owners[1].code } });
    assert.equal(bind.status(), 201, await bind.text());
    await page.goto(`${url}/consultations/${roof.id}`);
    const units = page.getByRole('group', { name: '为哪一户投票' });
    await units.waitFor();
    assert.equal(await units.getByRole('radio').count(), 2);
    assert.equal(await units.getByRole('radio').nth(0).isChecked(), true);

    await page.getByRole('radio', { name: '赞成', exact: true }).check();
    await page.getByRole('button', { name: '投票', exact: true }).click();
    const first = await page.locator('.receipt-code code').innerText();
    await units.getByText('（已投票）').waitFor();
    await screenshot(page, 'consultation-two-units-normal');

    // The second unit: not voted yet, so a new ballot and a new receipt.
    await units.getByRole('radio').nth(1).check();
    await page.getByRole('radio', { name: '反对', exact: true }).check();
    await page.getByRole('button', { name: '投票', exact: true }).click();
    await page.locator('.receipt-code code').waitFor();
    const second = await page.locator('.receipt-code code').innerText();
    assert.notEqual(first, second);
    assert.equal(await units.getByText('（已投票）').count(), 2);

    const detail = await (await page.request.get(api)).json();
    assert.deepEqual(detail.vote.my_units.map((u) => u.voted), [true, true]);
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(staff.consoleErrors, []);
  });
});

describe('optimistic co-signature and comment', () => {
  const linli = useServerAndBrowser();

  it('shows each at once, and takes it back with the reason when the connection fails', async () => {
    const { url } = linli.server;
    const proposer = await loggedIn(linli.browser, url, '13900000001');
    const created = await proposer.request.post(`${url}/api/v1/consultations`, { data: {
      title: '小区东门增设快递柜', background: '快递经常堆在门岗，老人取件不便。', options: [], scope: { kind: 'community' } } });
    assert.equal(created.status(), 201, await created.text());
    const id = (await created.json()).summary.id;

    const page = await loggedIn(linli.browser, url, '13900000002');
    await page.goto(`${url}/consultations/${id}`);
    await page.getByText(/附议 1\/\d+ 户/).waitFor();

    // The connection drops: the co-signature shows, then goes back with the reason.
    await page.route('**/api/v1/consultations/*/cosign', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: '我家附议', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '连不上服务器' }).waitFor();
    await page.getByRole('button', { name: '我家附议', exact: true }).waitFor();
    await page.getByText(/附议 1\/\d+ 户/).waitFor();
    await page.unroute('**/api/v1/consultations/*/cosign');

    // The server is slow: the co-signature shows before it answers, and stays.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/api/v1/consultations/*/cosign', async (route) => { await held; await route.continue(); });
    await page.getByRole('button', { name: '我家附议', exact: true }).click();
    await page.getByText('你家已附议。').waitFor();
    await page.getByText(/附议 2\/\d+ 户/).waitFor();
    release();
    await page.waitForResponse('**/api/v1/consultations/*/cosign');
    await page.getByText('你家已附议。').waitFor();
    const afterCosign = await (await page.request.get(`${url}/api/v1/consultations/${id}`)).json();
    assert.equal(afterCosign.summary.cosigns, 2, 'counted once, by the server');
    await page.unroute('**/api/v1/consultations/*/cosign');

    // A comment shows at once as being sent; the connection fails, so it leaves the list and
    // its text comes back into the box.
    const text = '建议放在东门岗亭旁边，晚上有灯。';
    const box = page.getByRole('textbox', { name: '发表意见' });
    await page.route('**/api/v1/consultations/*/comments', async (route) => {
      await page.locator('.comment.pending', { hasText: text }).waitFor();
      assert.equal(await page.getByText('还没有意见。').count(), 0, 'not "no comments" above it');
      await screenshot(page, 'consultation-comment-sending-normal');
      await route.abort('internetdisconnected');
    });
    await box.fill(text);
    await page.getByRole('button', { name: '发表', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '连不上服务器' }).waitFor();
    assert.equal(await page.locator('.comment', { hasText: text }).count(), 0, 'taken back');
    assert.equal(await box.inputValue(), text, 'nothing typed is lost');
    await page.unroute('**/api/v1/consultations/*/comments');

    // Sent again with the connection back: posted once.
    await page.getByRole('button', { name: '发表', exact: true }).click();
    await page.locator('.comment:not(.pending) .comment-body', { hasText: text }).waitFor();
    assert.equal(await box.inputValue(), '');
    const afterComment = await (await page.request.get(`${url}/api/v1/consultations/${id}`)).json();
    assert.equal(afterComment.comments.filter((c) => c.body === text).length, 1);
  });
});
