import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './helpers/cli.js';
import { startDaemon, waitFor, type DaemonProcess } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const BIN = path.join(REPO_ROOT, 'packages/cli/src/bin.ts');

/** `syncline pair` on the host, in the background: resolves the code it shows; `result` ends with it. */
function showCode(host: DaemonProcess): Promise<{ code: string; result: Promise<{ exit: number | null; lines: string[] }> }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'pair', '--home', host.home, '--json'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const result = new Promise<{ exit: number | null; lines: string[] }>((resolve) => child.on('close', (exit) => resolve({ exit, lines: out.split('\n').filter(Boolean) })));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const line = out.split('\n').find((l) => l.startsWith('{"code"'));
      if (line) {
        child.stdout.off('data', onData);
        resolve({ code: JSON.parse(line).code, result });
      }
    };
    child.stdout.on('data', onData);
    void result.then((r) => reject(new Error(`pair exited early: ${r.lines.join('\n')}`)));
  });
}

function wrongCode(code: string): string {
  const [n, ...words] = code.split('-');
  return [n, ...words.slice(0, 2), words[2] === 'apple' ? 'river' : 'apple'].join('-');
}

describe('pairing two daemons with a code (SPAKE2 over libp2p, 127.0.0.1)', function () {
  this.timeout(240_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  const running: DaemonProcess[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-pair-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop('SIGKILL')));
    await cleanup();
  });
  const start = async (name: string, env: NodeJS.ProcessEnv = {}) => {
    const d = await startDaemon(path.join(dir, `home-${name}`), { env });
    running.push(d);
    return d;
  };
  const peersOf = async (d: DaemonProcess) => JSON.parse((await d.cli(['peers', '--json'])).stdout) as { deviceId: string }[];

  it('the right code pairs both sides; a shared folder then syncs (pair, code, share)', async () => {
    const [a, b] = [await start('a'), await start('b', { SYNCLINE_AUTO_ACCEPT: '0' })];
    const shown = await showCode(a);
    const join = await b.cli(['pair', shown.code, '--addr', a.addresses[0]!]);
    assert.equal(join.code, 0, join.stderr);
    assert.match(join.stdout, new RegExp(`paired with .*${a.deviceId}`));
    const hostResult = await shown.result;
    assert.equal(hostResult.exit, 0, hostResult.lines.join('\n'));
    assert.ok(hostResult.lines.some((l) => l.includes('"paired":true') && l.includes(b.deviceId)));
    assert.deepEqual((await peersOf(a)).map((p) => p.deviceId), [b.deviceId]);
    assert.deepEqual((await peersOf(b)).map((p) => p.deviceId), [a.deviceId]);
    // Share a folder: b sees the offer and accepts it into a path of its choice.
    const fa = path.join(dir, 'alice');
    const fb = path.join(dir, 'bob');
    await mkdir(fa, { recursive: true });
    await writeFile(path.join(fa, 'welcome.txt'), 'shared after pairing\n');
    assert.equal((await a.cli(['folder', 'add', 'docs', fa])).code, 0);
    assert.equal((await a.cli(['folder', 'share', 'docs', b.deviceId])).code, 0);
    await waitFor(async () => JSON.parse((await b.cli(['folders', '--json'])).stdout).offers.some((o: { folder: string }) => o.folder === 'docs'), 'b to see the offer');
    const accept = await b.cli(['folder', 'accept', 'docs', fb]);
    assert.equal(accept.code, 0, accept.stderr);
    await waitFor(async () => existsSync(path.join(fb, 'welcome.txt')), 'the folder to sync');
    assert.equal(await readFile(path.join(fb, 'welcome.txt'), 'utf8'), 'shared after pairing\n');
  });

  it('a wrong code fails cleanly on both sides and trusts nobody', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const shown = await showCode(a);
    const join = await b.cli(['pair', wrongCode(shown.code), '--addr', a.addresses[0]!]);
    assert.equal(join.code, 1);
    assert.match(join.stderr, /wrong code/);
    assert.doesNotMatch(join.stderr, /\n\s+at /);
    assert.deepEqual(await peersOf(a), []);
    assert.deepEqual(await peersOf(b), []);
    // The window stays open for the right code.
    const retry = await b.cli(['pair', shown.code, '--addr', a.addresses[0]!]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal((await shown.result).exit, 0);
  });

  it('an expired code is refused', async () => {
    const [a, b] = [await start('a', { SYNCLINE_PAIRING_TTL_MS: '2000' }), await start('b')];
    const shown = await showCode(a);
    const host = await shown.result;
    assert.equal(host.exit, 1);
    assert.ok(host.lines.some((l) => l.includes('"state":"expired"')));
    const join = await b.cli(['pair', shown.code, '--addr', a.addresses[0]!]);
    assert.equal(join.code, 1);
    assert.match(join.stderr, /refused|expired|not.*open|could not reach/i);
    assert.deepEqual(await peersOf(a), []);
  });

  it('too many wrong attempts close the window, even for the right code', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const shown = await showCode(a);
    for (let i = 0; i < 5; i++) {
      const r = await b.cli(['pair', wrongCode(shown.code), '--addr', a.addresses[0]!]);
      assert.equal(r.code, 1);
    }
    const host = await shown.result;
    assert.equal(host.exit, 1);
    assert.ok(host.lines.some((l) => l.includes('too many wrong attempts')), host.lines.join('\n'));
    const late = await b.cli(['pair', shown.code, '--addr', a.addresses[0]!]);
    assert.equal(late.code, 1);
    assert.deepEqual(await peersOf(a), []);
    assert.deepEqual(await peersOf(b), []);
  });

  it('an invite token pairs devices that cannot see each other', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const inv = await a.cli(['invite', '--json']);
    assert.equal(inv.code, 0, inv.stderr);
    const { token } = JSON.parse(inv.stdout);
    const human = await a.cli(['invite']);
    assert.match(human.stdout, /syncline join syncline:/);
    assert.match(human.stdout, /[▄▀█]/, 'a QR code is drawn');
    const join = await b.cli(['join', token]);
    assert.equal(join.code, 0, join.stderr);
    await waitFor(async () => (await peersOf(a)).some((p) => p.deviceId === b.deviceId), 'a to trust b');
    const again = await b.cli(['join', token]);
    assert.equal(again.code, 1, 'the invite is one-time');
  });
});
