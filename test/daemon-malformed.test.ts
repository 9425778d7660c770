import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { PROTOCOL_VERSION } from '@syncline/engine';
import { encodeFrame, SYNC_PROTOCOL } from '@syncline/p2p';
import { rawLibp2p } from '../packages/p2p/test/helpers.js';
import { startDaemon, waitFor, type DaemonProcess } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const H = (c: string) => c.repeat(64);
const PROTOCOL_WARNING = /protocol error|malformed|ended in the middle|announces|bad field|unknown message kind/i;
/** Warnings and errors in the daemon's JSON log that report a protocol violation. */
const protocolWarnings = (d: DaemonProcess) => d.output().split('\n').filter((l) => /"level":(40|50)/.test(l) && PROTOCOL_WARNING.test(l)).length;

describe('a daemon under malformed input from a trusted peer (real process)', function () {
  this.timeout(180_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let d: DaemonProcess;
  let friend: DaemonProcess;
  let attacker: Libp2p;

  before(async () => {
    ({ dir, cleanup } = await tempDir('syncline-evil-'));
    d = await startDaemon(path.join(dir, 'home-d'));
    friend = await startDaemon(path.join(dir, 'home-f'));
    attacker = await rawLibp2p();
    const evil = attacker.peerId.toString();
    const fd = path.join(dir, 'folder-d');
    const ff = path.join(dir, 'folder-f');
    await mkdir(fd, { recursive: true });
    await writeFile(path.join(fd, 'legit.txt'), 'for the friend\n');
    for (const [who, other] of [[d, friend], [friend, d]] as const) assert.equal((await who.cli(['peer', 'add', other.deviceId, '--addr', other.addresses[0]!])).code, 0);
    assert.equal((await d.cli(['peer', 'add', evil])).code, 0);
    assert.equal((await d.cli(['folder', 'add', 'docs', fd])).code, 0);
    assert.equal((await friend.cli(['folder', 'add', 'docs', ff])).code, 0);
    for (const peer of [friend.deviceId, evil]) assert.equal((await d.cli(['folder', 'share', 'docs', peer])).code, 0);
    assert.equal((await friend.cli(['folder', 'share', 'docs', d.deviceId])).code, 0);
  });
  after(async () => {
    await attacker?.stop();
    await Promise.all([d?.stop('SIGKILL'), friend?.stop('SIGKILL')]);
    await cleanup();
  });

  const hello = encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION, folder: 'docs', replica: 'intruderreplica' });
  const header = encodeFrame({ folder: 'docs' });
  const record = (p: string) => ({ path: p, kind: 'file', deleted: false, size: 4, mtimeMs: 1, mode: 0o644, hash: H('a'), chunks: [{ hash: H('a'), size: 4 }], target: '', version: { intruderreplica: 1 }, seq: 1, hlc: { t: 1, c: 0 }, by: 'intruderreplica' });
  const attacks: [string, Uint8Array[]][] = [
    ['an unknown message kind', [header, encodeFrame({ t: 'delete-everything' })]],
    ['a wrong type', [header, encodeFrame({ t: 'hello', protocol: 'one', folder: 7, replica: null })]],
    ['a ".." path', [header, hello, encodeFrame({ t: 'base', id: null }), encodeFrame({ t: 'changes', records: [record('../escape.txt')], last: true })]],
    ['an absolute path', [header, hello, encodeFrame({ t: 'base', id: null }), encodeFrame({ t: 'changes', records: [record('/tmp/escape.txt')], last: true })]],
    ['an oversized length prefix', [header, Uint8Array.from([0xff, 0xff, 0xff, 0xff])]],
    ['a truncated frame', [header, Uint8Array.from([0, 0, 0, 50, 1, 2, 3])]],
  ];

  for (const [name, frames] of attacks) {
    it(`${name}: the session is closed with a logged protocol error; the daemon stays up`, async () => {
      const logged = protocolWarnings(d);
      const stream = await attacker.dialProtocol(d.addresses.map((a) => multiaddr(a)), SYNC_PROTOCOL);
      for (const f of frames) stream.send(f);
      if (name === 'a truncated frame') await stream.close();
      await waitFor(() => protocolWarnings(d) > logged, 'a logged protocol error', 30_000);
      const status = await d.cli(['status', '--json']);
      assert.equal(status.code, 0, 'the daemon still answers');
      assert.equal(d.proc.exitCode, null, 'the daemon is still running');
    });
  }

  it('other sessions went on, and nothing was written outside the folder', async () => {
    await waitFor(async () => existsSync(path.join(dir, 'folder-f', 'legit.txt')), 'the friend to receive the folder', 60_000);
    assert.deepEqual((await readdir(dir)).sort(), ['folder-d', 'folder-f', 'home-d', 'home-f']);
    assert.equal(existsSync('/tmp/escape.txt'), false);
    assert.deepEqual((await readdir(path.join(dir, 'folder-d'))).filter((n) => n !== '.syncline'), ['legit.txt']);
  });
});
