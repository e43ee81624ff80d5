import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGuyub, startBrowser, login, screenshot } from './harness.js';

let app;
let browser;
before(async () => {
  app = await startGuyub();
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a wrong password stays on the login page with an error', async () => {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login`);
  await page.fill('input[name=cooperative]', 'demo');
  await page.fill('input[name=email]', app.logins.owner.email);
  await page.fill('input[name=password]', 'not-the-password');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/login/);
  assert.ok(await page.locator('[role=alert]').isVisible());
  await page.close();
});

test('the owner logs in and sees the dashboard in Bahasa Indonesia, then in English', async () => {
  const page = await browser.newPage();
  await login(page, app, 'owner');
  assert.equal(new URL(page.url()).pathname, '/');
  const heading = await page.locator('h1').first().textContent();
  assert.match(heading, /Selamat datang/);
  assert.match(heading, /Pak Harjo/);
  await screenshot(page, 'dashboard-id');

  // Language is a per-user setting on the account page.
  await page.goto(`${app.url}/account`);
  await page.selectOption('select[name=locale]', 'en');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/account/language"] button')]);
  await page.goto(`${app.url}/`);
  assert.match(await page.locator('h1').first().textContent(), /Welcome/);
  await screenshot(page, 'dashboard-en');
  await page.close();
});

test('a teller cannot open the users page', async () => {
  const page = await browser.newPage();
  await login(page, app, 'teller');
  const res = await page.goto(`${app.url}/users`);
  assert.equal(res.status(), 403);
  await page.close();
});
