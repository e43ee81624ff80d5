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


test('Siti writes on WhatsApp in the simulator, the owner replies, and the reply reaches her phone', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');

  // The member's side: write as Siti on the demo WhatsApp channel.
  await submit(page, 'nav a[href="/simulator"]');
  await submit(page, 'nav.channel-choice a:has-text("WhatsApp")');
  assert.equal(await page.inputValue('input[name=from]'), '6281234500001');
  assert.equal(await page.inputValue('input[name=name]'), 'Siti Rahayu');
  const question = 'Selamat pagi, angsuran bulan ini berapa ya?';
  await page.fill('form.sim-form textarea[name=text]', question);
  await submit(page, 'form.sim-form button[type=submit]');
  assert.match(await page.locator('.flash').textContent(), /webhook/);
  // The page refreshes itself (inbox.js, on the live feed) until the pipeline has stored the message.
  await page.locator('#sim-chat li.mine', { hasText: question }).waitFor({ timeout: 15000 });
  await screenshot(page, 'simulator-member-wrote');

  // The cooperative's side: the conversation is there, with her message.
  await submit(page, 'nav a[href="/conversations"]');
  const row = page.locator('table.conversations tbody tr', { hasText: 'Siti' }).first();
  await row.waitFor({ timeout: 15000 });
  assert.match(await row.locator('.badge.kind').textContent(), /WhatsApp/);
  await screenshot(page, 'conversations');
  await submit(page, 'table.conversations tbody tr:has-text("Siti") a');
  const incoming = page.locator('ol.chat li.in', { hasText: question });
  assert.ok(await incoming.isVisible());
  assert.match(await incoming.locator('.badge.kind').textContent(), /WhatsApp/);

  const answer = 'Selamat pagi Bu Siti, angsuran bulan ini Rp 250.000.';
  await page.fill('form#reply textarea[name=text]', answer);
  await submit(page, 'form#reply button[type=submit]');
  const outgoing = page.locator('ol.chat li.out', { hasText: answer });
  assert.ok(await outgoing.isVisible());
  // Queued, then sent once the fake provider took it (the list refreshes itself).
  await page
    .locator('ol.chat li.out:has(.msg-sent, .msg-delivered, .msg-read)', { hasText: answer })
    .waitFor({ timeout: 15000 });
  await screenshot(page, 'conversation-replied');

  // Back on Siti's phone, the reply has arrived after her question.
  await submit(page, '.head a:has-text("Simulator")');
  const reply = page.locator('#sim-chat li.reply', { hasText: answer });
  await reply.waitFor({ timeout: 15000 });
  const lines = await page.locator('#sim-chat li .body').allTextContents();
  assert.ok(lines.indexOf(question) < lines.indexOf(answer), lines.join(' | '));
  await screenshot(page, 'simulator-reply-arrived');
  page.checkErrors();
  await page.close();
});

test('the owner adds a channel, sees only masked secrets and tests the connection', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');
  await submit(page, 'nav a[href="/channels"]');
  assert.equal(await page.locator('table.channels tbody tr').count(), 7, 'one demo channel per kind');
  await page.selectOption('form.add-channel select[name=kind]', 'line');
  await submit(page, 'form.add-channel button');
  await page.fill('input[name=name]', 'LINE Cabang');
  await page.fill('input[name=base_url]', `${app.url}/sim/line`);
  await page.fill('input[name=cred_channel_access_token]', 'line-token-cabang-1234');
  await page.fill('input[name=cred_channel_secret]', 'line-secret-cabang-5678');
  await submit(page, 'form.channel-form button[type=submit]');
  assert.match(await page.locator('.flash').textContent(), /ditambahkan/);
  const secrets = await page.locator('dl.secrets').textContent();
  assert.match(secrets, /\*\*\*\*1234/);
  assert.doesNotMatch(await page.content(), /line-token-cabang-1234|line-secret-cabang-5678/);
  assert.match(await page.inputValue('#webhook-url'), /\/hooks\/line\/\d+$/);
  await submit(page, 'button:has-text("Tes koneksi")');
  assert.match(await page.locator('.test-result').textContent(), /Koneksi berhasil/);
  await screenshot(page, 'channel');
  page.checkErrors();
  await page.close();
});
