import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGuyub, startBrowser, login, screenshot, strictPage as newStrictPage, submit } from './harness.js';

let app;
let browser;
const strictPage = () => newStrictPage(browser);
before(async () => {
  app = await startGuyub();
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Writes as a member in the simulator (a second tab: the provider's side). */
async function memberWrites(page, channel, from, name, text) {
  await page.goto(`${app.url}/simulator`);
  await submit(page, `nav.channel-choice a:has-text("${channel}")`);
  await page.fill('input[name=from]', from);
  await page.fill('input[name=name]', name);
  await page.fill('form.sim-form textarea[name=text]', text);
  await submit(page, 'form.sim-form button[type=submit]');
}

test('the inbox is live: a WhatsApp message appears without reload, the reply reaches WhatsApp, and Telegram joins the same conversation', async () => {
  const agent = await strictPage();
  await login(agent, app, 'owner');
  await agent.goto(`${app.url}/conversations`);
  // Nothing reloads this page from here on: a mark on the window would vanish.
  await agent.evaluate(() => { window.__notReloaded = true; });
  await agent.waitForTimeout(300); // the live feed connects

  const member = await strictPage();
  await login(member, app, 'owner');
  const question = 'Halo, saya Dewi. Sisa pinjaman saya berapa?';
  await memberWrites(member, 'WhatsApp', '6281234500003', 'Dewi L', question);

  const row = agent.locator('#conversation-list tr', { hasText: 'Dewi' });
  await row.waitFor({ timeout: 15000 });
  assert.equal(await agent.evaluate(() => window.__notReloaded), true, 'the list updated itself');
  assert.match(await row.locator('.preview').textContent(), /Sisa pinjaman/);
  assert.match(await row.locator('.unread').textContent(), /1/);
  assert.match(await row.locator('.badge.member').textContent(), /Anggota/);
  await screenshot(agent, 'inbox-live-list');

  // Keyboard: j selects the first row, o opens it.
  await agent.keyboard.press('j');
  await Promise.all([agent.waitForNavigation(), agent.keyboard.press('o')]);
  assert.match(agent.url(), /\/conversations\/\d+$/);
  const conversation = agent.url();
  await agent.locator('ol.chat li.in', { hasText: question }).waitFor();

  // r focuses the reply box; Ctrl+Enter sends.
  await agent.keyboard.press('r');
  const answer = 'Selamat siang Bu Dewi, sisa pinjaman Ibu Rp 1.500.000.';
  await agent.keyboard.type(answer);
  await Promise.all([agent.waitForNavigation(), agent.keyboard.press('Control+Enter')]);
  await agent
    .locator('ol.chat li.out:has(.msg-sent, .msg-delivered, .msg-read)', { hasText: answer })
    .waitFor({ timeout: 15000 });
  const sent = await (await fetch(`${app.url}/sim/api/sent`)).json();
  assert.ok(sent.some((m) => m.kind === 'whatsapp' && JSON.stringify(m).includes('Rp 1.500.000')), 'the WhatsApp fake received the reply');
  await agent.evaluate(() => { window.__notReloaded = true; });

  // Dewi writes again, now on Telegram (her account is linked to her membership): the
  // message lands in this same conversation, live, marked as asked on two channels.
  const again = 'Ini Dewi lagi, dari Telegram. Bisa bayar lewat transfer?';
  await memberWrites(member, 'Telegram', '500123456', 'Dewi L', again);
  const tg = agent.locator('ol.chat li.in', { hasText: again });
  await tg.waitFor({ timeout: 15000 });
  assert.match(await tg.locator('.badge.kind').textContent(), /Telegram/);
  assert.equal(agent.url().split('#')[0], conversation);
  assert.equal(await agent.evaluate(() => window.__notReloaded), true, 'the conversation updated itself');
  await agent.locator('.also-asked').waitFor({ timeout: 15000 });
  assert.match(await agent.locator('.also-asked').textContent(), /WhatsApp[\s\S]*Telegram/);
  await screenshot(agent, 'inbox-one-conversation-two-channels');

  // A private note, then resolve with the e key.
  await agent.fill('#note-text', 'Sudah dijelaskan cara transfer angsuran.');
  await submit(agent, 'form#note button[type=submit]');
  assert.ok(await agent.locator('ol.chat li.note', { hasText: 'cara transfer' }).isVisible());
  await Promise.all([agent.waitForNavigation(), agent.keyboard.press('e')]);
  await agent.locator('.badge.conv-resolved').first().waitFor();
  await screenshot(agent, 'inbox-resolved');
  agent.checkErrors();
  member.checkErrors();
});
