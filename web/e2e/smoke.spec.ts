import { expect, test } from './fixtures/console-test';
import { LoginPage } from './pages/login-page';

test('the built console serves a login page in Chinese', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page).toHaveTitle('Tessera 视频图像联网平台');
  await expect(login.heading).toHaveText('城市视频图像信息联网平台');
  await expect(login.username).toBeVisible();
  await expect(login.password).toHaveAttribute('type', 'password');
  await expect(login.submit).toHaveText('登录');
});
