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


test('the owner searches the members, opens one and sees which identities are verified', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');
  await page.click('nav a[href="/members"]');
  assert.equal(await page.locator('h1').first().textContent(), 'Anggota');

  // Dewi's number, spelled the way she would say it.
  await page.fill('input[name=q]', '0812 3450 0003');
  await submit(page, 'form[role=search] button');
  const rows = page.locator('table.members tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /Dewi Lestari/);
  assert.match(await rows.first().textContent(), /3374036507900003/, 'the owner sees the NIK');
  await screenshot(page, 'members-search');

  await submit(page, 'table.members a:has-text("Dewi Lestari")');
  assert.match(await page.locator('h1').first().textContent(), /Dewi Lestari/);
  const telegram = page.locator('tr.identity', { hasText: '500123456' });
  assert.match(await telegram.locator('.badge.kind').textContent(), /Telegram/);
  assert.ok(await telegram.locator('.unverified').isVisible());
  assert.match(await telegram.locator('.unverified').textContent(), /belum terverifikasi/);
  assert.ok(await telegram.locator('button:has-text("Kirim kode")').isVisible());
  await screenshot(page, 'member-unverified');

  await page.goto(`${app.url}/members?q=Siti`);
  await submit(page, 'table.members a:has-text("Siti Rahayu")');
  const whatsapp = page.locator('tr.identity', { hasText: '6281234500001' });
  assert.match(await whatsapp.locator('.badge.kind').textContent(), /WhatsApp/);
  assert.ok(await whatsapp.locator('.verified').isVisible());
  assert.match(await whatsapp.locator('.verified').textContent(), /terverifikasi/);
  assert.equal(await whatsapp.locator('.unverified').count(), 0);
  await screenshot(page, 'member-verified');
  page.checkErrors();
  await page.close();
});

test('the review queue links the shared home phone to one member', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');
  const link = page.locator('nav a[href="/members/reviews"]');
  assert.equal(await link.locator('.count').textContent(), '1', 'open reviews in the menu');
  await Promise.all([page.waitForNavigation(), link.click()]);
  const review = page.locator('section.review').first();
  assert.match(await review.textContent(), /62247601234/);
  assert.match(await review.textContent(), /Siti Rahayu/);
  assert.match(await review.textContent(), /Budi Santoso/);
  await screenshot(page, 'reviews');

  await submit(page, 'section.review button:has-text("Budi Santoso")');
  assert.match(await page.locator('.flash').textContent(), /dihubungkan/);
  assert.equal(await page.locator('section.review').count(), 0);
  assert.equal(await page.locator('nav .count').count(), 0, 'no open reviews left');

  await page.goto(`${app.url}/members?q=Budi`);
  await submit(page, 'table.members a:has-text("Budi Santoso")');
  const phone = page.locator('tr.identity', { hasText: '62247601234' });
  assert.match(await phone.locator('.badge.kind').textContent(), /Telepon/);
  await screenshot(page, 'member-after-review');
  page.checkErrors();
  await page.close();
});

test('two contacts of one person are merged after a preview, and the merge is undone', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');
  await page.click('nav a[href="/contacts"]');
  // Agus wrote on Instagram and by e-mail: two contacts, neither known as a member yet.
  const idOf = async (external) => {
    const row = page.locator('table.contacts tbody tr', { hasText: external });
    assert.match(await row.textContent(), /pelanggan \/ belum dikenal/);
    return (await row.locator('a').first().getAttribute('href')).split('/').pop();
  };
  const instagram = await idOf('17841400000000001');
  const email = await idOf('agus.setiawan@example.id');
  await screenshot(page, 'contacts');

  await page.goto(`${app.url}/contacts/${instagram}`);
  await page.fill('input[name=other]', email);
  await submit(page, 'form[action$="/merge"] button');
  assert.equal(new URL(page.url()).pathname, `/contacts/${instagram}/merge`);
  const moving = page.locator('section.card', { hasText: 'Pindah dari' });
  assert.match(await moving.textContent(), /agus\.setiawan@example\.id/);
  assert.match(await page.locator('dd.moves').first().textContent(), /1\s+baris pindah/);
  await screenshot(page, 'merge-preview');

  await submit(page, 'button:has-text("Ya, gabungkan")');
  assert.match(await page.locator('.flash').textContent(), /digabung/);
  assert.equal(await page.locator('tr.identity').count(), 2);
  await screenshot(page, 'contact-merged');

  await submit(page, 'ul.merges button:has-text("Urungkan")');
  assert.match(await page.locator('.flash').textContent(), /diurungkan/);
  assert.equal(await page.locator('tr.identity').count(), 1);
  assert.match(await page.locator('ul.merges').textContent(), /diurungkan/);
  page.checkErrors();
  await page.close();
});

test('a CSV file is checked before anything is imported', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');
  await page.goto(`${app.url}/members`);
  await submit(page, 'a:has-text("Impor CSV")');
  const csv = 'name,nik,gender,birth_date,phones\nTri Handayani,3374016408920009,P,1992-08-24,081234500009\nSalah,3374016408920010,L,1992-08-24,081234500010\n';
  // The file picker reads the file into the form (the only script on the site).
  await page.setInputFiles('#csv-file', { name: 'anggota.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => document.getElementById('csv-text').value !== '');
  assert.equal(await page.inputValue('#csv-text'), csv);
  assert.ok(await page.isChecked('input[name=dry_run]'), 'checking is the default');
  await submit(page, 'form[action="/members/import"] button[type=submit]');
  assert.equal(await page.locator('#rows').textContent(), '2');
  assert.equal(await page.locator('#imported').textContent(), '0');
  const bad = page.locator('table.row-errors tbody tr');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.first().textContent(), /^3\s*nik/);
  await screenshot(page, 'import-dry-run');
  page.checkErrors();
  await page.close();
});

test('a member registered through the form keeps what was typed when the NIK is wrong', async () => {
  const page = await strictPage();
  await login(page, app, 'owner');
  await page.goto(`${app.url}/members`);
  await submit(page, 'a:has-text("Tambah anggota")');
  await page.fill('input[name=name]', 'Wahyu Pratama');
  await page.fill('input[name=nik]', '3374011203900011');
  await page.selectOption('select[name=gender]', 'L');
  await page.fill('input[name=birth_date]', '1991-03-12');
  await page.fill('textarea[name=phones]', '0812-3456-7001\n(024) 555-0101');
  await submit(page, 'form[action="/members/new"] button[type=submit]');
  assert.match(await page.locator('[role=alert]').textContent(), /nik: NIK says born 12-03-90/);
  assert.equal(await page.inputValue('input[name=name]'), 'Wahyu Pratama');
  await screenshot(page, 'member-form-error');

  await page.fill('input[name=birth_date]', '1990-03-12');
  await submit(page, 'form[action="/members/new"] button[type=submit]');
  assert.match(await page.locator('.flash').textContent(), /didaftarkan/);
  assert.match(await page.locator('h1').first().textContent(), /Wahyu Pratama/);
  assert.match(await page.locator('dl.fields').textContent(), /\+6281234567001/);
  page.checkErrors();
  await page.close();
});

test('an agent sees NIKs masked and no export button', async () => {
  const page = await strictPage();
  await login(page, app, 'agent');
  await page.goto(`${app.url}/members?q=Siti`);
  const row = page.locator('table.members tbody tr').first();
  assert.match(await row.textContent(), /3374\*{10}01/);
  assert.doesNotMatch(await row.textContent(), /3374015204850001/);
  assert.equal(await page.locator('a[href="/members/export"]').count(), 0);
  page.checkErrors();
  await page.close();
});
