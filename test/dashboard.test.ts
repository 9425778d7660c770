import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchBrowser, openDashboard, screenshot } from './helpers/browser.js';
import { startDaemon, waitFor, type DaemonProcess } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';
import { sameSnapshot, snapshot } from './helpers/trees.js';

/**
 * The dashboard end to end: real daemons (child processes on 127.0.0.1), the dashboard they
 * serve, headless Chromium. Everything the page shows comes from the control API's events.
 */

async function trust(d: DaemonProcess, other: DaemonProcess): Promise<void> {
  const r = await d.cli(['peer', 'add', other.deviceId, '--addr', other.addresses[0]!]);
  assert.equal(r.code, 0, r.stderr);
}

async function waitForFolderAt100(page: Page, folder: string): Promise<void> {
  await page.waitForFunction((id) => {
    const panel = document.querySelector('syncline-dashboard')?.shadowRoot?.querySelector('sl-folders');
    const bar = panel?.shadowRoot?.querySelector<HTMLProgressElement>(`li[data-folder="${id}"] progress`);
    return bar !== null && bar !== undefined && bar.hasAttribute('max') && bar.value === 100;
  }, folder, { timeout: 120_000 });
}

describe('dashboard end to end (real daemons, headless Chromium)', function () {
  this.timeout(300_000);
  let browser: Browser;
  let dir: string;
  let cleanup: () => Promise<void>;
  const running: DaemonProcess[] = [];

  before(async () => {
    await ensureDashboardBuilt();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-dashboard-'));
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const page of browser.contexts().flatMap((c) => c.pages())) await screenshot(page, `failed-${this.currentTest.title}`).catch(() => undefined);
    }
    for (const c of browser.contexts()) await c.close();
    await Promise.all(running.splice(0).map((d) => d.stop('SIGKILL')));
    await cleanup();
  });
  const start = async (name: string) => {
    const d = await startDaemon(path.join(dir, `home-${name}`));
    running.push(d);
    return d;
  };
  const tokenOf = async (d: DaemonProcess) => (await readFile(path.join(d.home, 'api-token'), 'utf8')).trim();

  it('loads with the token, shows two connected peers and a folder reaching 100 %, and resolves a conflict through the UI on both disks', async () => {
    const [a, b, c] = [await start('a'), await start('b'), await start('c')];
    const fa = path.join(dir, 'fa');
    const fb = path.join(dir, 'fb');
    await mkdir(path.join(fb, 'notes'), { recursive: true });
    await writeFile(path.join(fb, 'big.bin'), randomBytes(6 << 20));
    await writeFile(path.join(fb, 'notes/hello.txt'), 'hello\n');

    const { page, problems } = await openDashboard(browser, a.apiPort, await tokenOf(a));
    await page.locator('[data-testid="connection"][data-state="open"]').waitFor();
    await page.getByText('0 of 0 connected').waitFor();

    // Peers appear and connect while the page is open: only events bring them. b pairs with
    // the code the page shows; c is added by device ID on both sides.
    await page.locator('sl-pair').getByRole('button', { name: 'Show a pairing code' }).click();
    const code = (await page.getByTestId('pairing-code').textContent())!.trim();
    assert.match(code, /^\d-[a-z]+-[a-z]+-[a-z]+$/);
    const paired = await b.cli(['pair', code, '--addr', a.addresses[0]!]);
    assert.equal(paired.code, 0, paired.stderr);
    await page.locator('sl-pair').getByText('Paired with', { exact: false }).waitFor();
    await trust(a, c);
    await trust(c, a);
    await page.getByText('2 of 2 connected').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('sl-peers li[data-connected="true"]').count(), 2);

    // Add the folder and share it with b through the page; b joins with the CLI.
    await page.getByText('Add a folder').click();
    await page.getByLabel('Folder ID').fill('docs');
    await page.getByLabel('Path on this device').fill(fa);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.locator('sl-folders li[data-folder="docs"]').waitFor();
    await page.getByLabel('Share docs with').selectOption(b.deviceId);
    await page.locator('sl-folders li[data-folder="docs"]').getByRole('button', { name: 'Share' }).click();
    assert.equal((await b.cli(['folder', 'add', 'docs', fb])).code, 0);
    assert.equal((await b.cli(['folder', 'share', 'docs', a.deviceId])).code, 0);

    await waitForFolderAt100(page, 'docs');
    await waitFor(async () => sameSnapshot(await snapshot(fa), await snapshot(fb)), 'a to receive b’s files');
    assert.ok((await readFile(path.join(fa, 'big.bin'))).equals(await readFile(path.join(fb, 'big.bin'))));
    await page.locator('sl-folders [data-state="idle"]').getByText('Up to date').waitFor();
    await page.locator('sl-feed').getByText(/docs: \d+ changes? from/).first().waitFor();
    await screenshot(page, 'dashboard-e2e-synced');

    // A conflict: both edit the same file at once, before either can receive the other's edit.
    await Promise.all([writeFile(path.join(fa, 'notes/hello.txt'), 'edited on a\n'), writeFile(path.join(fb, 'notes/hello.txt'), 'edited on b, which is longer\n')]);

    const row = page.locator('sl-conflicts tbody tr');
    await row.first().waitFor({ timeout: 120_000 });
    assert.equal(await row.count(), 1);
    const copy = (await row.first().getAttribute('data-copy'))!;
    assert.match(copy, /^notes\/hello\.sync-conflict-\d{8}-\d{6}-[a-z0-9]+\.txt$/);
    await waitFor(() => existsSync(path.join(fb, copy)), 'the conflict copy on b too');
    const theirs = await readFile(path.join(fa, copy), 'utf8');
    const mine = await readFile(path.join(fa, 'notes/hello.txt'), 'utf8');
    assert.deepEqual([mine, theirs].sort(), ['edited on a\n', 'edited on b, which is longer\n']);
    await screenshot(page, 'dashboard-e2e-conflict');

    await row.first().locator('input[type="checkbox"]').click();
    await page.locator('sl-conflicts').getByRole('button', { name: 'Take theirs' }).click();
    await page.locator('sl-conflicts').getByText('Resolved 1 conflict').waitFor();
    await row.first().waitFor({ state: 'detached' });

    // On both disks: the copy's content has the original's name, and no copy is left.
    await waitFor(async () => {
      for (const f of [fa, fb]) {
        if (existsSync(path.join(f, copy))) return false;
        if ((await readFile(path.join(f, 'notes/hello.txt'), 'utf8').catch(() => '')) !== theirs) return false;
      }
      return true;
    }, 'the resolution to reach b', 120_000);
    const buckets = (await readdir(path.join(fa, '.syncline/trash'))).filter((n) => n.endsWith('-dashboard'));
    assert.equal(buckets.length, 1);
    assert.equal(await readFile(path.join(fa, '.syncline/trash', buckets[0]!, 'notes/hello.txt'), 'utf8'), mine, 'the replaced version is in a’s trash');
    await page.getByText('No conflicts.').waitFor();
    await page.locator('sl-folders [data-state="idle"]').getByText('Up to date').waitFor({ timeout: 60_000 });
    await page.locator('sl-feed').getByText('docs: 1 conflict resolved, took the other versions').waitFor();
    await screenshot(page, 'dashboard-e2e-resolved');
    assert.deepEqual(problems, [], 'no console errors or CSP violations');
  });

  it('refuses a wrong token', async () => {
    const a = await start('a');
    const wrong = (await tokenOf(a)).replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
    const { page } = await openDashboard(browser, a.apiPort, wrong);
    await page.getByTestId('token-refused').waitFor();
    assert.equal(await page.locator('sl-folders').count(), 0);
    assert.match(a.output(), /refused a connection without the right token/);
    await screenshot(page, 'dashboard-e2e-wrong-token');
  });
});
