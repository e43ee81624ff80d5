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

/** `Rp 1.250.000` → 1250000 */
const rupiah = (text) => Number(text.replace(/[^0-9]/g, ''));
const format = (n) => `Rp ${n.toLocaleString('id-ID')}`;

test('a teller finds a member, takes a deposit and prints the receipt', async () => {
  const page = await strictPage();
  await login(page, app, 'teller');
  await page.click('nav a[href="/savings/teller"]');
  assert.equal(await page.locator('h1').first().textContent(), 'Kasir / Teller');

  // Siti by her member number.
  await page.fill('input[name=q]', 'KGR-000001');
  await submit(page, 'form[role=search] button');
  const panel = page.locator('section.teller-member');
  assert.match(await panel.locator('h2').textContent(), /Siti Rahayu/);
  const before = rupiah(await panel.locator('tr.balance-sukarela .amount').textContent());
  assert.ok(before > 0, 'the demo gave her sukarela');
  assert.match(await panel.locator('p.wajib').textContent(), /Tidak ada tunggakan/);
  await screenshot(page, 'teller-member');

  // A refused withdrawal is explained in Indonesian and keeps what was typed.
  const withdraw = panel.locator('form.withdraw');
  await withdraw.locator('input[name=amount]').fill(String(before + 1));
  await submit(page, 'form.withdraw button[type=submit]');
  assert.match(await page.locator('p.error').textContent(), /kurang dari/);
  assert.equal(await page.locator('form.withdraw input[name=amount]').inputValue(), String(before + 1));

  // The deposit.
  const form = page.locator('form.deposit');
  await form.locator('select[name=kind]').selectOption('sukarela');
  await form.locator('input[name=amount]').fill('50.000');
  await form.locator('input[name=note]').fill('setoran pasar');
  await submit(page, 'form.deposit button[type=submit]');
  assert.match(new URL(page.url()).pathname, /^\/savings\/receipts\/KW-\d+$/);
  const receipt = page.locator('article.receipt');
  assert.match(await receipt.locator('.coop').textContent(), /Koperasi Guyub Rukun Sejahtera/);
  assert.match(await receipt.locator('.member').textContent(), /KGR-000001 Siti Rahayu/);
  assert.equal((await receipt.locator('dd.amount').textContent()).trim(), 'Rp 50.000');
  assert.equal((await receipt.locator('dd.balance').textContent()).trim(), format(before + 50000));
  assert.match(await receipt.locator('.teller').textContent(), /Joko \(Kasir\)/);
  assert.match(await receipt.textContent(), /setoran pasar/);
  await screenshot(page, 'receipt');

  // Print: the button calls window.print(); the print layout drops the buttons and
  // keeps the receipt in a narrow column.
  await page.evaluate(() => {
    window.printed = 0;
    window.print = () => { window.printed += 1; };
  });
  await page.click('button[data-print]');
  assert.equal(await page.evaluate(() => window.printed), 1);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.receipt-actions').isVisible(), false, 'no buttons on paper');
  const width = await receipt.evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(width > 150 && width <= 310, `a thermal-paper column, got ${width}px`);
  await screenshot(page, 'receipt-print');
  await page.emulateMedia({ media: 'screen' });

  // Back at the teller the balance is the new one, and the statement lists it.
  await submit(page, 'a:has-text("Kembali ke kasir")');
  const after = rupiah(await page.locator('tr.balance-sukarela .amount').textContent());
  assert.equal(after, before + 50000);
  await submit(page, 'tr.balance-sukarela a:has-text("Buku tabungan")');
  const last = page.locator('table.passbook tbody tr').last();
  assert.match(await last.textContent(), /Setoran/);
  assert.match(await last.textContent(), /Rp 50\.000/);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('nav.sidebar').isVisible(), false, 'no menu on the printed statement');
  await screenshot(page, 'statement-print');
  page.checkErrors();
  await page.close();
});

test('a member in arrears shows it at the teller', async () => {
  const page = await strictPage();
  await login(page, app, 'teller');
  await page.goto(`${app.url}/savings/arrears`);
  const row = page.locator('table.arrears tbody tr', { hasText: 'Budi Santoso' });
  assert.match(await row.textContent(), /2/);
  await submit(page, 'table.arrears tr:has-text("Budi Santoso") a:has-text("Kasir")');
  assert.match(await page.locator('p.wajib').textContent(), /Tunggakan wajib:\s*2 bulan, Rp 100\.000/);
  await screenshot(page, 'teller-arrears');
  page.checkErrors();
  await page.close();
});
