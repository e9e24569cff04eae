// Page objects for the main screens. They find things as a screen reader would: by role and
// by label text, in the app's default language (zh-CN) unless a test switches it.

export class Shell {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  async open(path) {
    await this.page.goto(this.baseUrl + path);
    await this.heading().waitFor();
  }

  /** The app's page heading (the static shell shows one too while the app loads). */
  heading() {
    return this.page.locator('main#main').getByRole('heading', { level: 1 });
  }

  /** The page's heading once it names `name` (text, exact, or a RegExp). A page loads after
   *  its URL is set (its wasm module may still be on the way), so wait for it by name. */
  headingNamed(name) {
    return this.page.locator('main#main').getByRole('heading', { level: 1, name, exact: typeof name === 'string' });
  }

  tab(name) {
    return this.page.getByRole('navigation', { name: /主导航|Main navigation/ }).getByRole('link', { name });
  }

  elderSwitch() {
    return this.page.getByRole('banner').getByRole('button', { name: /长辈模式|Large mode/ });
  }

  languageSwitch() {
    return this.page.getByRole('banner').getByRole('button', { name: /Switch to English|切换到中文/ });
  }

  alert() {
    return this.page.locator('[role=alert]').filter({ hasText: /\S/ });
  }
}

export class RegisterPage extends Shell {
  async register({ phone, password, name, consent = true }) {
    await this.open('/register');
    await this.page.getByLabel('手机号').fill(phone);
    await this.page.getByLabel('密码', { exact: true }).fill(password);
    if (name) await this.page.getByLabel('称呼（选填）').fill(name);
    if (consent) await this.page.getByLabel('我已阅读并同意以上隐私说明').check();
    await this.page.getByRole('button', { name: '注册', exact: true }).click();
  }
}

export class LoginPage extends Shell {
  async login({ phone, password }) {
    await this.open('/login');
    await this.page.getByLabel('手机号').fill(phone);
    await this.page.getByLabel('密码', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: '登录', exact: true }).click();
  }
}

export class BindPage extends Shell {
  async bind(code) {
    await this.page.getByLabel('房屋绑定码').fill(code);
    await this.page.getByRole('button', { name: '绑定', exact: true }).click();
  }

  success() {
    return this.page.getByRole('status').filter({ hasText: '绑定成功' });
  }
}

export class MePage extends Shell {
  async open() {
    await super.open('/me');
  }

  logoutButton() {
    return this.page.getByRole('button', { name: '退出登录' });
  }

  logoutEverywhereButton() {
    return this.page.getByRole('button', { name: '退出所有设备' });
  }

  households() {
    return this.page.getByRole('region', { name: '我的房屋' });
  }

  /** Saves the download of my data and returns it parsed. */
  async downloadMyData() {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: '下载我的数据' }).click(),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    return { name: download.suggestedFilename(), data: JSON.parse(await readFile(path, 'utf8')) };
  }

  async correctName(name) {
    await this.page.getByLabel('更正称呼').fill(name);
    await this.page.getByRole('button', { name: '保存称呼' }).click();
  }

  async deleteAccount(password) {
    await this.page.getByLabel('输入密码以确认注销').fill(password);
    await this.page.getByRole('button', { name: '注销我的账号' }).click();
  }
}

export class RequestFormPage extends Shell {
  async submit({ category, title, description, choices = [], texts = {}, photos = [], contact }) {
    await this.open('/requests/new');
    await this.page.getByRole('radio', { name: category }).check();
    if (contact) await this.page.getByRole('radio', { name: contact }).check();
    await this.page.getByLabel('标题').fill(title);
    if (description) await this.page.getByLabel('详细描述（选填）').fill(description);
    for (const choice of choices) await this.page.getByRole('radio', { name: choice, exact: true }).check();
    for (const [label, value] of Object.entries(texts)) await this.page.getByLabel(label).fill(value);
    if (photos.length) {
      await this.page.locator('#photos').setInputFiles(photos);
      await this.page.locator('.photo-previews img').nth(photos.length - 1).waitFor();
    }
    await this.page.getByRole('button', { name: '提交', exact: true }).click();
  }
}

export class RequestDetailPage extends Shell {
  trackingNumber() {
    return this.page.locator('.tracking-number');
  }

  status() {
    return this.page.locator('dd .badge').first();
  }

  async act(buttonName, { note, handler } = {}) {
    if (note) await this.page.getByLabel(/^说明/).fill(note);
    if (handler) await this.page.getByLabel('派给谁（网格员或部门）').fill(handler);
    await this.page.getByRole('button', { name: buttonName, exact: true }).click();
  }

  async waitForStatus(text) {
    await this.page.locator('dd .badge').filter({ hasText: text }).waitFor();
  }
}
