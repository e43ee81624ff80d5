// Starts a real `guyub serve --demo` on a fresh data directory and a free port, and a
// headless Debian Chromium driven by playwright-core. Every test file gets its own server.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.GUYUB_BIN ?? '../../target/debug/guyub';
const ARTIFACTS = process.env.GUYUB_ARTIFACTS ?? join(tmpdir(), 'guyub-screenshots');

export async function startGuyub() {
  const dataDir = mkdtempSync(join(tmpdir(), 'guyub-browser-'));
  const child = spawn(BIN, ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, GUYUB_LOG_LEVEL: 'warn', GUYUB_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logins = {};
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`guyub did not start:\n${out}`)), 30000);
    child.on('exit', (code) => reject(new Error(`guyub exited with ${code}:\n${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        const m = line.match(/^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$/);
        if (m) logins[m[1]] = { email: m[2], password: m[3] };
        const u = line.match(/running at (http:\/\/\S+?)\/?\s/);
        if (u) {
          clearTimeout(timer);
          resolve(u[1]);
        }
      }
    });
  });
  return {
    url,
    logins,
    dataDir,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return browser;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Logs in to the demo cooperative as the given role and waits for the dashboard. */
export async function login(page, app, role) {
  const who = app.logins[role];
  if (!who) throw new Error(`no demo login for role ${role}`);
  await page.goto(`${app.url}/login`);
  await page.fill('input[name=cooperative]', 'demo');
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

/**
 * A page that fails the test on any console error (a CSP violation or a script error
 * shows up there): call `page.checkErrors()` at the end. A refused form's 4xx status is
 * expected, not an error.
 */
export async function strictPage(browser) {
  const page = await browser.newPage();
  const errors = [];
  const refusal = /^Failed to load resource: the server responded with a status of 4\d\d/;
  page.on('console', (m) => m.type() === 'error' && !refusal.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.checkErrors = () => {
    if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
  };
  return page;
}

/** Clicks a submit button and waits for the page it leads to. */
export async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}
