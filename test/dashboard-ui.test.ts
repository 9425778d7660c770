import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { SynclineError } from '@syncline/core';
import { DiskReplica } from '@syncline/replica';
import { registerConflictMethods } from '../packages/daemon/src/api-conflicts.js';
import { ApiServer } from '../packages/daemon/src/api-server.js';
import { dashboardHandler } from '../packages/daemon/src/dashboard-http.js';
import { ensureDashboardBuilt, launchBrowser, openDashboard, screenshot } from './helpers/browser.js';
import { tempDir } from './helpers/tmp.js';

/**
 * The dashboard in headless Chromium against the real control-API server, dashboard files and
 * conflict methods, with the daemon's status and events scripted (no libp2p). The end-to-end
 * test with real daemons is test/dashboard.test.ts.
 */

const TOKEN = 'a'.repeat(64);
const SELF = '12D3KooWSe1fDev1ceAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const LAPTOP = '12D3KooWLaptopBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const NAS = '12D3KooWNasCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const EMPTY_TRANSFER = { bytesTransferred: 0, bytesReused: 0, bytesResumed: 0, filesPrepared: 0 };

interface ScriptedDaemon {
  api: ApiServer;
  /** The folder's replica: scan() indexes what a test wrote, as the daemon's watcher would. */
  replica: DiskReplica;
  port: number;
  folderPath: string;
  peers: { deviceId: string; name?: string; addrs: string[]; connected: boolean }[];
  folder: Record<string, unknown>;
}

async function startScriptedDaemon(dir: string): Promise<ScriptedDaemon> {
  const folderPath = path.join(dir, 'Documents');
  await mkdir(folderPath, { recursive: true });
  const api = new ApiServer(TOKEN, dashboardHandler());
  const replica = await DiskReplica.open(folderPath);
  const d: ScriptedDaemon = {
    api,
    replica,
    port: 0,
    folderPath,
    peers: [
      { deviceId: LAPTOP, name: 'laptop', addrs: ['/ip4/127.0.0.1/tcp/4101'], connected: false },
      { deviceId: NAS, addrs: ['/ip4/127.0.0.1/tcp/4102'], connected: false },
    ],
    folder: { id: 'docs', path: folderPath, devices: [LAPTOP, NAS], state: 'idle', transfer: EMPTY_TRANSFER, totals: EMPTY_TRANSFER },
  };
  const status = () => ({ deviceId: SELF, addresses: ['/ip4/127.0.0.1/tcp/4100'], apiPort: d.port, folders: [d.folder], peers: d.peers });
  api.method('status', async () => status());
  api.method('peers', async () => d.peers);
  api.method('folders', async () => [d.folder]);
  api.method('folder.add', async () => {
    throw new SynclineError('SYNCLINE_FOLDER_EXISTS', 'folder "docs" already exists');
  });
  registerConflictMethods(api, () => new Map([['docs', { config: { id: 'docs', path: folderPath }, store: replica.store }]]));
  d.port = await api.listen(0);
  return d;
}

/** Waits until the folder's progress bar holds `value` (percent) and returns it. */
async function waitForProgress(page: Page, folder: string, value: number): Promise<void> {
  await page.waitForFunction(
    ([id, v]) => {
      const app = document.querySelector('syncline-dashboard');
      const panel = app?.shadowRoot?.querySelector('sl-folders');
      const bar = panel?.shadowRoot?.querySelector<HTMLProgressElement>(`li[data-folder="${id}"] progress`);
      return bar !== null && bar !== undefined && bar.hasAttribute('max') && Math.round(bar.value) === v;
    },
    [folder, value] as const,
  );
}

async function conflictRows(page: Page): Promise<string[]> {
  return page.locator('sl-conflicts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-copy') ?? ''));
}

describe('dashboard UI (headless Chromium, scripted daemon API)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let dir: string;
  let cleanup: () => Promise<void>;
  let daemon: ScriptedDaemon;

  before(async () => {
    await ensureDashboardBuilt();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-dash-ui-'));
    daemon = await startScriptedDaemon(dir);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const page of browser.contexts().flatMap((c) => c.pages())) await screenshot(page, `failed-${this.currentTest.title}`).catch(() => undefined);
    }
    for (const c of browser.contexts()) await c.close();
    await daemon.api.stop();
    await daemon.replica.close();
    await cleanup();
  });

  it('refuses a wrong token, in the page and at the WebSocket', async function () {
    const { page } = await openDashboard(browser, daemon.port, 'b'.repeat(64));
    await page.getByTestId('token-refused').waitFor();
    assert.equal(await page.getByTestId('connection').getAttribute('data-state'), 'refused');
    assert.equal(await page.locator('sl-folders').count(), 0, 'no data is shown');
    await screenshot(page, 'dashboard-ui-wrong-token');
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/api?token=${'b'.repeat(64)}`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('a wrong token was accepted')));
      ws.on('error', () => undefined);
    });
    assert.equal(status, 401);
  });

  it('follows events live: peers connecting, a folder syncing to 100 %, the feed', async () => {
    const { page, problems } = await openDashboard(browser, daemon.port, TOKEN);
    await page.getByTestId('connection').and(page.locator('[data-state="open"]')).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
    await page.locator('sl-folders li[data-folder="docs"]').waitFor();
    await page.getByText('0 of 2 connected').waitFor();

    daemon.api.broadcast('peer', { deviceId: LAPTOP, connected: true });
    daemon.api.broadcast('peer', { deviceId: NAS, connected: true });
    await page.getByText('2 of 2 connected').waitFor();
    assert.equal(await page.locator('sl-peers li[data-connected="true"]').count(), 2);

    daemon.folder = { ...daemon.folder, state: 'syncing' };
    daemon.api.broadcast('folder', daemon.folder);
    const planned = { filesPlanned: 40, bytesPlanned: 40_000_000 };
    daemon.api.broadcast('progress', { folder: 'docs', peer: LAPTOP, ...EMPTY_TRANSFER, ...planned, bytesTransferred: 10_000_000, filesPrepared: 10 });
    await waitForProgress(page, 'docs', 25);
    await page.getByText('Syncing with laptop').waitFor();
    await page.getByText('10 of 40 files').waitFor();
    await screenshot(page, 'dashboard-ui-syncing');

    const done = { ...EMPTY_TRANSFER, ...planned, bytesTransferred: 30_000_000, bytesReused: 10_000_000, filesPrepared: 40 };
    daemon.api.broadcast('progress', { folder: 'docs', peer: LAPTOP, ...done });
    await waitForProgress(page, 'docs', 100);
    daemon.api.broadcast('synced', { folder: 'docs', peer: LAPTOP, applied: 40, conflicts: [], problems: [{ path: 'locked.db', message: 'permission denied' }] });
    daemon.folder = { ...daemon.folder, state: 'idle', transfer: done, lastSync: { peer: LAPTOP, atMs: Date.now(), applied: 40 } };
    daemon.api.broadcast('folder', daemon.folder);
    await page.locator('sl-folders [data-state="idle"]').getByText('Up to date').waitFor();
    await waitForProgress(page, 'docs', 100);
    await page.locator('sl-feed').getByText('docs: 40 changes from laptop').waitFor();
    await page.locator('sl-feed').getByText('locked.db: permission denied').waitFor();
    await page.locator('sl-feed').getByText('laptop connected').waitFor();
    await screenshot(page, 'dashboard-ui-synced');
    assert.deepEqual(problems, [], 'no console errors or CSP violations');
  });

  it('sorts conflicts, selects a range with shift-click, and resolves each way on disk', async () => {
    const f = daemon.folderPath;
    const copies = [
      { path: 'report.txt', copy: 'report.sync-conflict-20250301-101500-laptopaaaaaaa.txt', size: 3000, mtime: 1_740_000_000 },
      { path: 'notes/todo.md', copy: 'notes/todo.sync-conflict-20250302-080000-nasbbbbbbbbbb.md', size: 120, mtime: 1_740_500_000 },
      { path: 'photo.jpg', copy: 'photo.sync-conflict-20250303-120000-laptopaaaaaaa.jpg', size: 90_000, mtime: 1_740_100_000 },
      { path: 'budget.ods', copy: 'budget.sync-conflict-20250304-170000-nasbbbbbbbbbb.ods', size: 12_000, mtime: 1_740_900_000 },
    ];
    await mkdir(path.join(f, 'notes'), { recursive: true });
    for (const c of copies) {
      await writeFile(path.join(f, c.path), `mine: ${c.path}\n`);
      await writeFile(path.join(f, c.copy), Buffer.alloc(c.size, 't'));
      await utimes(path.join(f, c.copy), c.mtime, c.mtime);
    }
    await daemon.replica.scan();
    const { page, problems } = await openDashboard(browser, daemon.port, TOKEN);
    await page.locator('sl-conflicts tbody tr').nth(3).waitFor();
    assert.deepEqual(await conflictRows(page), ['budget.sync-conflict-20250304-170000-nasbbbbbbbbbb.ods', 'notes/todo.sync-conflict-20250302-080000-nasbbbbbbbbbb.md', copies[2]!.copy, copies[0]!.copy], 'by path');

    const header = (name: string) => page.locator('sl-conflicts thead').getByRole('button', { name });
    await header('Size').click();
    assert.deepEqual(await conflictRows(page), [copies[1]!.copy, copies[0]!.copy, copies[3]!.copy, copies[2]!.copy], 'by size, smallest first');
    assert.equal(await page.locator('sl-conflicts th.size').getAttribute('aria-sort'), 'ascending');
    await header('Size').click();
    assert.deepEqual(await conflictRows(page), [copies[2]!.copy, copies[3]!.copy, copies[0]!.copy, copies[1]!.copy], 'by size, largest first');
    await header('Modified').click();
    assert.deepEqual(await conflictRows(page), [copies[3]!.copy, copies[1]!.copy, copies[2]!.copy, copies[0]!.copy], 'newest first');
    await header('Peer').click();
    assert.deepEqual((await conflictRows(page)).slice(0, 2).sort(), [copies[0]!.copy, copies[2]!.copy].sort(), 'by peer');

    // Back to newest first; select rows 1..3 with a click and a shift-click.
    await header('Modified').click();
    const box = (copy: string) => page.locator(`sl-conflicts tr[data-copy="${copy}"] input[type="checkbox"]`);
    await box(copies[1]!.copy).click();
    await box(copies[0]!.copy).click({ modifiers: ['Shift'] });
    await page.locator('sl-conflicts').getByText('3 selected').waitFor();
    await screenshot(page, 'dashboard-ui-conflicts-range');
    await box(copies[2]!.copy).click(); // unselect the middle one: report.txt and todo.md stay
    await page.locator('sl-conflicts').getByText('2 selected').waitFor();

    await page.locator('sl-conflicts').getByRole('button', { name: 'Take theirs' }).click();
    await page.locator('sl-conflicts').getByText('Resolved 2 conflicts').waitFor();
    await page.locator(`sl-conflicts tr[data-copy="${copies[0]!.copy}"]`).waitFor({ state: 'detached' });
    assert.equal((await readFile(path.join(f, 'report.txt'))).length, 3000, 'the copy took the original’s place');
    assert.equal((await readFile(path.join(f, 'notes/todo.md'))).length, 120);
    assert.equal(existsSync(path.join(f, copies[0]!.copy)), false);
    const buckets = await readdir(path.join(f, '.syncline/trash'));
    assert.equal(buckets.length, 1);
    assert.match(buckets[0]!, /^\d{8}-\d{6}-dashboard$/);
    assert.equal(await readFile(path.join(f, '.syncline/trash', buckets[0]!, 'report.txt'), 'utf8'), 'mine: report.txt\n', 'the replaced original is in the trash');

    // Keep mine on the photo, keep both on the budget.
    await box(copies[2]!.copy).click();
    await page.locator('sl-conflicts').getByRole('button', { name: 'Keep mine' }).click();
    await page.locator(`sl-conflicts tr[data-copy="${copies[2]!.copy}"]`).waitFor({ state: 'detached' });
    assert.equal(existsSync(path.join(f, copies[2]!.copy)), false);
    assert.equal(await readFile(path.join(f, 'photo.jpg'), 'utf8'), 'mine: photo.jpg\n');

    await page.locator('sl-conflicts thead input[type="checkbox"]').click(); // select all (one left)
    await page.locator('sl-conflicts').getByRole('button', { name: 'Keep both' }).click();
    await page.locator('sl-conflicts').getByText('No conflicts.').waitFor();
    assert.ok(existsSync(path.join(f, copies[3]!.copy)), 'keep both renames nothing');
    assert.equal(await readFile(path.join(f, 'budget.ods'), 'utf8'), 'mine: budget.ods\n');
    await page.locator('sl-feed').getByText('docs: 1 conflict resolved, kept both versions').waitFor();
    await screenshot(page, 'dashboard-ui-conflicts-resolved');
    assert.deepEqual(problems, []);
  });

  it('explains that pairing is not available when the daemon lacks it, and reports API errors', async () => {
    const { page } = await openDashboard(browser, daemon.port, TOKEN);
    await page.getByRole('button', { name: 'Show a pairing code' }).click();
    await page.getByTestId('pair-unavailable').waitFor();
    await page.getByText('Add a folder').click();
    await page.getByLabel('Folder ID').fill('docs');
    await page.getByLabel('Path on this device').fill('/tmp/elsewhere');
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.getByText('folder "docs" already exists').waitFor();
    await screenshot(page, 'dashboard-ui-pair-unavailable');
  });

  it('pairs with a code both ways, following the daemon’s pairing events', async () => {
    const joined: Record<string, unknown>[] = [];
    daemon.api.method('pair.start', async () => ({ code: '4-orbit-lemon-violet', expiresAt: Date.now() + 300_000 }));
    daemon.api.method('pair.cancel', async () => null);
    daemon.api.method('pair.join', async (p) => {
      joined.push(p);
      return { deviceId: NAS, name: 'nas', addrs: [] };
    });
    const { page, problems } = await openDashboard(browser, daemon.port, TOKEN);
    const pair = page.locator('sl-pair');
    await pair.getByRole('button', { name: 'Show a pairing code' }).click();
    await pair.getByTestId('pairing-code').getByText('4-orbit-lemon-violet').waitFor();
    await pair.getByText(/Expires in [45]:\d\d/).waitFor();
    daemon.api.broadcast('pairing', { state: 'attempt-failed', attemptsLeft: 2 });
    await pair.getByText('A wrong code was typed on the other device; 2 attempts left.').waitFor();
    await screenshot(page, 'dashboard-ui-pair-code');
    daemon.api.broadcast('pairing', { state: 'paired', deviceId: LAPTOP, name: 'laptop' });
    await pair.getByText('Paired with laptop.', { exact: false }).waitFor();
    assert.equal(await pair.getByTestId('pairing-code').count(), 0, 'the code is gone once used');
    await page.locator('sl-feed').getByText('Paired with laptop').waitFor();

    await pair.getByLabel('Code from the other device').fill('7-amber-delta-piano');
    await pair.getByLabel(/Its address/).fill('/ip4/127.0.0.1/tcp/4102');
    await pair.getByRole('button', { name: 'Pair', exact: true }).click();
    await pair.getByText('Paired with nas.', { exact: false }).waitFor();
    assert.deepEqual(joined, [{ code: '7-amber-delta-piano', addr: '/ip4/127.0.0.1/tcp/4102' }]);
    assert.deepEqual(problems, []);
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const { page } = await openDashboard(browser, daemon.port, TOKEN, { width: 390, height: 844 });
    await page.locator('sl-folders li[data-folder="docs"]').waitFor();
    await screenshot(page, 'dashboard-ui-narrow');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  });
});
