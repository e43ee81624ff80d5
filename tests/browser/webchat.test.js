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

test('a visitor chats through the widget on a cooperative site and sees the reply', async () => {
  const staff = await browser.newPage();
  await login(staff, app, 'owner');
  // The demo's web chat channel, from the channel list.
  await staff.goto(`${app.url}/channels`);
  const href = await staff.locator('a[href^="/channels/"]', { hasText: 'Web chat' }).first().getAttribute('href');
  const id = href.split('/').pop();

  // A visitor on the cooperative's own site (one script tag), anonymous.
  const site = await browser.newPage();
  const errors = [];
  site.on('pageerror', (e) => errors.push(e.message));
  await site.goto(`${app.url}/webchat/${id}/demo`);
  await site.click('button[data-guyub=open]');
  const question = 'Halo, syarat jadi anggota koperasi apa saja?';
  await site.fill('div[data-guyub=panel] input', question);
  await site.press('div[data-guyub=panel] input', 'Enter');
  await site.locator('div[data-from=visitor]', { hasText: question }).waitFor({ timeout: 15000 });

  // Staff answer in the conversation.
  await staff.goto(`${app.url}/conversations`);
  const row = staff.locator('table.conversations tbody tr', { hasText: 'Obrolan web' }).first();
  await row.waitFor({ timeout: 15000 });
  await Promise.all([staff.waitForNavigation(), row.locator('a').first().click()]);
  const answer = 'Cukup KTP dan simpanan pokok Rp 100.000.';
  await staff.fill('form#reply textarea[name=text]', answer);
  await Promise.all([staff.waitForNavigation(), staff.click('form#reply button[type=submit]')]);

  // The reply appears in the widget without a reload.
  await site.locator('div[data-from=cooperative]', { hasText: answer }).waitFor({ timeout: 15000 });
  await screenshot(site, 'webchat-widget');
  assert.deepEqual(errors, []);
});
