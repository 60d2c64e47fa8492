import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import {
  createTestDatabase,
  launchChromium,
  signInToConsole,
  type TestDatabase,
  waitFor,
} from '@tessera/testkit';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD, TesseraInstance } from '../src/tessera-instance';

const WEB_DIR = join(__dirname, '../../web/dist');
/** Where the screenshots go; docs/screenshots holds the copies that were looked at. */
const SHOTS = process.env.TESSERA_SCREENSHOTS_DIR ?? join(__dirname, '../../.tessera/screenshots');
const logger = createLogger('e2e-console-cascade', process.env.TESSERA_TEST_LOG ?? 'silent');

/** The console's instance (a district platform, 芙蓉区) and the city platform it registers to. */
const LOWER_ID = '43010200002000000001';
const CITY_ID = '43010000002000000001';
/** A second upper for the picture: the same city gateway under another ID, reached with a wrong password. */
const PROVINCE_ID = '43000000002000000001';
const PROVINCE_LOCAL_ID = '43010200002000000009';
const ADMIN_PASSWORD = 'cascade-console-admin';
/** The city admits any device (and lower platform) with this password: its TESSERA_SIP_PASSWORD. */
const LINK_PASSWORD = 'city-link-password';

interface UpperView {
  id: string;
  sipId: string;
  enabled: boolean;
  link: { state: string; detail: string | null };
}

/**
 * 上级平台 in the built console against two whole Tessera instances on their own databases: an admin of the
 * district platform adds the city platform as its upper sharing 长沙市, and the row's badge turns 已注册 from the
 * gateway's real REGISTER; a wrong password makes it 失败 with the city's 403; disabling makes it 已停用. A district
 * (not city-wide) admin sees no entry and a clear refusal. (`npm test` builds web/dist first.)
 */
describe('upper platforms in the console, against a real upper instance', () => {
  const databases: TestDatabase[] = [];
  let lower: TesseraInstance;
  let city: TesseraInstance;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let browser: Browser;
  let cameras: number;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIR, 'index.html')))
      throw new Error('web/dist is missing: pnpm --filter @tessera/web build');
    mkdirSync(SHOTS, { recursive: true });
    for (let i = 0; i < 2; i++) databases.push(await createTestDatabase());
    city = await TesseraInstance.start({
      sipId: CITY_ID,
      databaseUrl: databases[0]!.url,
      rtpPorts: '36400-36449',
      adminPassword: 'cascade-city-admin',
      logger: logger.child({ tier: 'city' }),
      env: { TESSERA_SIP_PASSWORD: LINK_PASSWORD },
    });
    lower = await TesseraInstance.start({
      sipId: LOWER_ID,
      databaseUrl: databases[1]!.url,
      rtpPorts: '36450-36499',
      adminPassword: ADMIN_PASSWORD,
      logger: logger.child({ tier: 'district' }),
      env: { TESSERA_WEB_DIR: WEB_DIR },
    });
    // A few cameras at the district, so the shared count means something.
    const { endpoint } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      server: { id: LOWER_ID, host: '127.0.0.1', port: lower.gateway.port, transport: 'udp' },
      devices: planCity({ devices: 4, seed: 11, nvrShare: 0 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
    });
    await simulator.start();
    cameras = simulator.devices.reduce((n, d) => n + d.channels.length, 0);
    await waitFor(
      async () =>
        (await lower.api<unknown[]>('GET', '/api/v1/channels?status=online')).body.length === cameras
          ? true
          : undefined,
      { what: 'the district cameras online', timeoutMs: 20_000, intervalMs: 200 },
    );
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    for (const instance of [lower, city]) await instance?.close().catch(() => undefined);
    for (const database of databases) await database.drop();
  });

  const signIn = (username: string, password: string, hash = ''): Promise<Page> =>
    signInToConsole(browser, {
      url: lower.url,
      username,
      password,
      hash,
      viewport: { width: 1600, height: 1000 },
    });

  /** Waits for text to appear in (or under) a locator. */
  const text = (scope: Locator, content: string | RegExp, timeout = 10_000) =>
    scope.getByText(content).first().waitFor({ timeout });
  const row = (page: Page, name: string) => page.locator('tr.upper-row', { hasText: name });
  /** Waits until the row's badge shows this state (the view polls every 5 s). */
  const badge = async (page: Page, name: string, state: string, label: string, timeout = 15_000) => {
    const cell = row(page, name).locator(`.link-cell[data-link-state="${state}"]`);
    await cell.waitFor({ timeout });
    expect(await cell.locator('.link-badge').textContent()).toBe(label);
    return cell;
  };
  const uppers = async () => (await lower.api<UpperView[]>('GET', '/api/v1/upper-platforms')).body;

  it('a district (not city-wide) admin has no 上级平台 entry and is told why', async () => {
    const created = await lower.api('POST', '/api/v1/users', {
      username: 'furong-admin',
      password: 'furong-admin-password',
      role: 'admin',
      civilCode: '430102',
    });
    expect(created.status).toBe(201);
    const page = await signIn('furong-admin', 'furong-admin-password', '#/cascade');
    await text(page.locator('.cascade-view'), '仅市级（全域）管理员可配置上级平台');
    await page.getByRole('link', { name: '用户管理' }).waitFor();
    await waitFor(
      async () => ((await page.getByRole('link', { name: '上级平台' }).count()) === 0 ? true : undefined),
      {
        what: 'no 上级平台 entry',
      },
    );
    await page.close();
  }, 60_000);

  it('an admin adds the city as upper: 已注册; a wrong password: 失败 with the 403; disabled: 已停用', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: '上级平台' }).click();
    await text(page.locator('.cascade-view'), '尚未配置上级平台');

    const form = page.getByRole('form', { name: '新增上级平台' });
    await form.locator('input[name=upper-name]').fill('长沙市局平台');
    // Our validation first, in Chinese: a short SIP ID, no password.
    await form.locator('input[name=upper-sip-id]').fill('4301');
    await form.getByRole('button', { name: '添加上级平台' }).click();
    await text(form, 'SIP 编号须为 20 位数字');
    await text(form, '请输入密码，或勾选“无密码”');
    await text(form, '请先更正标出的项');

    await form.locator('input[name=upper-sip-id]').fill(CITY_ID);
    expect(await form.locator('input[name=upper-domain]').inputValue()).toBe('4301000000');
    await form.locator('input[name=upper-host]').fill('127.0.0.1');
    await form.locator('input[name=upper-port]').fill(String(city.gateway.port));
    await form.locator('select[name=upper-transport]').selectOption('udp');
    await form.locator('input[name=upper-password]').fill(LINK_PASSWORD);
    await form.locator('input[name=upper-keepalive]').fill('5');
    await form.getByRole('checkbox', { name: /长沙市/ }).check();
    await text(form.locator('.area-chips'), '长沙市');
    await form.getByRole('button', { name: '添加上级平台' }).click();
    await text(page.locator('.cascade-view'), '已添加上级平台 长沙市局平台');

    const registeredAt = Date.now();
    await badge(page, '长沙市局平台', 'registered', '已注册');
    expect(Date.now() - registeredAt).toBeLessThan(15_000);
    const cityRow = row(page, '长沙市局平台');
    await text(cityRow, `127.0.0.1:${city.gateway.port}/UDP`);
    await text(cityRow, CITY_ID);
    await text(cityRow, '本平台编号');
    await text(cityRow, /^自 .* 起/);
    await waitFor(
      async () => ((await cityRow.locator('td.num').textContent()) === String(cameras) ? true : undefined),
      {
        what: `${cameras} shared cameras in the row`,
        timeoutMs: 10_000,
      },
    );
    // The city really sees the district as a registered lower platform.
    await waitFor(
      async () => {
        const devices = (await city.api<{ deviceId: string; status: string }[]>('GET', '/api/v1/devices'))
          .body;
        return devices.some((d) => d.deviceId === LOWER_ID && d.status === 'online') ? true : undefined;
      },
      { what: 'the district online at the city', timeoutMs: 10_000 },
    );
    const [stored] = await uppers();
    expect(stored).toMatchObject({ sipId: CITY_ID, enabled: true });

    // The platform's 409, shown in the form.
    await form.locator('input[name=upper-name]').fill('湖南省厅平台');
    await form.locator('input[name=upper-sip-id]').fill(CITY_ID);
    await form.locator('input[name=upper-host]').fill('127.0.0.1');
    await form.locator('input[name=upper-port]').fill(String(city.gateway.port));
    await form.locator('input[name=upper-password]').fill('wrong-password');
    await form.getByRole('button', { name: '添加上级平台' }).click();
    await text(
      form.locator('.server-error'),
      `已存在相同 SIP 编号的上级平台（an upper platform with ID ${CITY_ID} exists）`,
    );

    // A second upper the city refuses (wrong password), for the picture: one registered, one failed.
    await form.locator('input[name=upper-sip-id]').fill(PROVINCE_ID);
    await form.locator('input[name=upper-local-id]').fill(PROVINCE_LOCAL_ID);
    await form.getByRole('button', { name: '添加上级平台' }).click();
    await text(page.locator('.cascade-view'), '已添加上级平台 湖南省厅平台');
    const province = await badge(page, '湖南省厅平台', 'failed', '失败');
    await text(province, '403 Forbidden');
    await text(province, /下次重试|正在重试/);
    await badge(page, '长沙市局平台', 'registered', '已注册');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SHOTS, 'cascade-links.png') });

    // Edit the city link with a wrong password: the city answers 403 and the badge says so.
    await cityRow.getByRole('button', { name: '编辑' }).click();
    const edit = page.getByRole('form', { name: '编辑上级平台：长沙市局平台' });
    expect(await edit.locator('input[name=upper-sip-id]').inputValue()).toBe(CITY_ID);
    expect(await edit.getByRole('checkbox', { name: /长沙市/ }).isChecked()).toBe(true);
    await edit.locator('input[name=upper-password]').fill('not-the-city-password');
    await edit.getByRole('button', { name: '保存' }).click();
    await text(page.locator('.cascade-view'), '已保存上级平台 长沙市局平台');
    const failed = await badge(page, '长沙市局平台', 'failed', '失败');
    await text(failed, '403 Forbidden');
    await text(failed, /下次重试|正在重试/);

    // Disable: the link stops and says so.
    await cityRow.getByRole('button', { name: '停用' }).click();
    const prompt = page.getByRole('form', { name: '停用 长沙市局平台' });
    await text(prompt, '链路密码保持不变');
    await prompt.getByRole('button', { name: '确认停用' }).click();
    await badge(page, '长沙市局平台', 'disabled', '已停用');
    await cityRow.getByRole('button', { name: '启用' }).waitFor();
    expect((await uppers()).find((u) => u.sipId === CITY_ID)).toMatchObject({
      enabled: false,
      link: { state: 'disabled' },
    });

    // Delete, after confirming.
    await row(page, '湖南省厅平台').getByRole('button', { name: '删除' }).click();
    await page
      .getByRole('form', { name: '删除 湖南省厅平台' })
      .getByRole('button', { name: '确认删除' })
      .click();
    await text(page.locator('.cascade-view'), '已删除上级平台 湖南省厅平台');
    await row(page, '湖南省厅平台').waitFor({ state: 'detached' });
    expect((await uppers()).map((u) => u.sipId)).toEqual([CITY_ID]);
    await page.close();
  }, 120_000);
});
