import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { READ_BUFFER_SIZE } from '@syncline/replica';
import { REPO_ROOT } from './helpers/cli.js';
import { startDaemon, type DaemonProcess } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';
import { snapshot } from './helpers/trees.js';

/**
 * What `npx syncline` runs after `npm ci`: the esbuild bundle of the built CLI
 * (packages/cli/dist/bundle). The other CLI tests run the TypeScript sources; this one checks
 * that the bundle works where it differs from them: files found next to their module (the
 * hashing worker, the dashboard's assets) and the lazily loaded daemon.
 */
const run = promisify(execFile);
const CLI_DIR = path.join(REPO_ROOT, 'packages/cli');
const BUNDLE = path.join(CLI_DIR, 'dist/bundle/bin.js');
const USER_ENTRY = path.join(CLI_DIR, 'bin/syncline.js');

describe('the bundled CLI (what npx syncline runs)', function () {
  this.timeout(180_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  const daemons: DaemonProcess[] = [];

  before(async () => {
    // The same build `npm ci` runs (prepare), so that this tests the current sources.
    await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: REPO_ROOT });
    await run(process.execPath, [path.join(CLI_DIR, 'scripts/bundle.mjs')], { cwd: CLI_DIR });
    ({ dir, cleanup } = await tempDir('syncline-bundle-'));
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await cleanup();
  });

  it('bin/syncline.js answers --help', async () => {
    const { stdout } = await run(process.execPath, [USER_ENTRY, '--help']);
    assert.match(stdout, /Usage: syncline/);
    assert.match(stdout, /\bsync\b/);
  });

  it('syncs a tree whose big file is hashed on the worker threads', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await mkdir(path.join(a, 'sub'), { recursive: true });
    await mkdir(b);
    await writeFile(path.join(a, 'big.bin'), randomBytes(8 * READ_BUFFER_SIZE + 123));
    await writeFile(path.join(a, 'sub', 'note.txt'), 'hello from the bundle\n');
    await run(process.execPath, [BUNDLE, 'sync', a, b]); // rejects on a non-zero exit
    const copied = await snapshot(b);
    assert.equal(Object.keys(copied).length, 3);
    assert.deepEqual(copied, await snapshot(a));
  });

  it('runs the daemon, which serves the dashboard and answers the CLI', async () => {
    const d = await startDaemon(path.join(dir, 'home'), { entry: BUNDLE });
    daemons.push(d);
    const page = await fetch(`http://127.0.0.1:${d.apiPort}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script[^>]+src=/);
    const { stdout } = await run(process.execPath, [BUNDLE, 'status', '--home', d.home, '--json']);
    assert.equal(JSON.parse(stdout).deviceId, d.deviceId);
  });
});
