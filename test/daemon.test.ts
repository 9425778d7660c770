import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { startDaemon, waitFor, type DaemonProcess } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';
import { sameSnapshot, snapshot } from './helpers/trees.js';

async function ensureTcpdump(): Promise<void> {
  const has = () => new Promise<boolean>((resolve) => execFile('tcpdump', ['--version'], (err) => resolve(!err)));
  if (await has()) return;
  await new Promise<void>((resolve, reject) =>
    execFile('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump'], { timeout: 240_000 }, (err) => (err ? reject(err) : resolve())),
  );
}

/** Makes every daemon trust the others and share folder `id` (at <dir>/<name>) with them. */
async function linkUp(daemons: DaemonProcess[], id: string, folders: string[]): Promise<void> {
  for (let i = 0; i < daemons.length; i++) {
    const d = daemons[i]!;
    for (const other of daemons) {
      if (other === d) continue;
      const r = await d.cli(['peer', 'add', other.deviceId, '--addr', other.addresses[0]!]);
      assert.equal(r.code, 0, r.stderr);
    }
    const add = await d.cli(['folder', 'add', id, folders[i]!]);
    assert.equal(add.code, 0, add.stderr);
    for (const other of daemons) {
      if (other === d) continue;
      const r = await d.cli(['folder', 'share', id, other.deviceId]);
      assert.equal(r.code, 0, r.stderr);
    }
  }
}

async function converged(folders: string[]): Promise<boolean> {
  const snaps = await Promise.all(folders.map((f) => snapshot(f)));
  return snaps.every((s) => sameSnapshot(s, snaps[0]!)) && Object.keys(snaps[0]!).length > 0;
}

describe('daemons on 127.0.0.1 (real processes)', function () {
  this.timeout(300_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  const running: DaemonProcess[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('syncline-daemons-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop('SIGKILL')));
    await cleanup();
  });
  const start = async (name: string, port?: number) => {
    const d = await startDaemon(path.join(dir, `home-${name}`), port ? { port } : {});
    running.push(d);
    return d;
  };

  it('commands that need a daemon say so when none runs', async () => {
    const r = await runCli(['status', '--home', path.join(dir, 'nohome')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no daemon is running/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('two daemons converge a folder, both ways', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const folders = [path.join(dir, 'fa'), path.join(dir, 'fb')];
    await mkdir(folders[0]!, { recursive: true });
    await writeFile(path.join(folders[0]!, 'hello.txt'), 'from a\n');
    await mkdir(path.join(folders[0]!, 'sub/deeper'), { recursive: true });
    await writeFile(path.join(folders[0]!, 'sub/deeper/big.bin'), randomBytes(3 << 20));
    await linkUp([a, b], 'docs', folders);
    await waitFor(() => converged(folders), 'b to receive a folder');
    await writeFile(path.join(folders[1]!, 'reply.txt'), 'from b\n');
    await waitFor(async () => existsSync(path.join(folders[0]!, 'reply.txt')), 'a to receive b’s new file');
    assert.equal(await readFile(path.join(folders[0]!, 'reply.txt'), 'utf8'), 'from b\n');
    const st = await b.cli(['status', '--json']);
    const status = JSON.parse(st.stdout);
    assert.equal(status.peers[0].connected, true);
    assert.equal(status.folders[0].id, 'docs');
  });

  it('three daemons in a triangle converge while all three edit', async () => {
    const ds = [await start('a'), await start('b'), await start('c')];
    const folders = ds.map((_, i) => path.join(dir, `f${i}`));
    for (const f of folders) await mkdir(f, { recursive: true });
    await linkUp(ds, 'shared', folders);
    for (let round = 0; round < 5; round++) {
      await Promise.all(folders.map((f, i) => writeFile(path.join(f, `n${i}-${round}.txt`), `${i}/${round}\n`)));
      await Promise.all(folders.map((f, i) => writeFile(path.join(f, 'contested.txt'), `edit ${round} from ${i}\n`)));
    }
    await waitFor(async () => {
      if (!(await converged(folders))) return false;
      const names = await readdir(folders[0]!);
      return [0, 1, 2].every((i) => [0, 1, 2, 3, 4].every((r) => names.includes(`n${i}-${r}.txt`)));
    }, 'three folders to converge', 120_000);
    // Concurrent edits of contested.txt: one keeps the name, the others are conflict copies; all agree.
    const names = await readdir(folders[0]!);
    assert.ok(names.includes('contested.txt'));
  });

  it('a daemon killed mid-transfer resumes: no partial file at the target, received chunks not sent again', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const folders = [path.join(dir, 'fa'), path.join(dir, 'fb')];
    await mkdir(folders[0]!, { recursive: true });
    const SIZE = 192 << 20;
    await writeFile(path.join(folders[0]!, 'huge.bin'), randomBytes(SIZE));
    await linkUp([a, b], 'big', folders);
    const target = path.join(folders[1]!, 'huge.bin');
    const tmp = path.join(folders[1]!, '.syncline', 'tmp');
    let partial = 0;
    await waitFor(async () => {
      const parts = existsSync(tmp) ? (await readdir(tmp)).filter((n) => n.endsWith('.part')) : [];
      if (parts.length === 0) return false;
      partial = (await stat(path.join(tmp, parts[0]!))).size;
      return partial > 24 << 20;
    }, 'b to have received part of the file', 120_000);
    await b.stop('SIGKILL');
    running.splice(running.indexOf(b), 1);
    assert.equal(existsSync(target), false, 'no partial file at the target path');
    const b2 = await start('b');
    await waitFor(async () => existsSync(target) && (await stat(target)).size === SIZE, 'the transfer to finish after the restart', 180_000);
    assert.ok((await readFile(target)).equals(await readFile(path.join(folders[0]!, 'huge.bin'))));
    const status = JSON.parse((await b2.cli(['status', '--json'])).stdout);
    const totals = status.folders[0].totals;
    assert.ok(totals.bytesResumed >= partial - (1 << 20), `resumed ${totals.bytesResumed} of ${partial} already received`);
    assert.ok(totals.bytesTransferred <= SIZE - partial + (1 << 20), `sent again: ${totals.bytesTransferred}`);
  });

  it('an untrusted node gets nothing', async () => {
    const [a, c] = [await start('a'), await start('c')];
    const fa = path.join(dir, 'fa');
    const fc = path.join(dir, 'fc');
    await mkdir(fa, { recursive: true });
    await writeFile(path.join(fa, 'secret.txt'), 'not for c\n');
    // a shares nothing with c and does not trust it; c trusts a and asks for the folder.
    assert.equal((await a.cli(['folder', 'add', 'private', fa])).code, 0);
    assert.equal((await c.cli(['peer', 'add', a.deviceId, '--addr', a.addresses[0]!])).code, 0);
    assert.equal((await c.cli(['folder', 'add', 'private', fc])).code, 0);
    assert.equal((await c.cli(['folder', 'share', 'private', a.deviceId])).code, 0);
    await waitFor(() => /refus|denied|untrusted/i.test(a.output()), 'a to log the refusal', 30_000);
    assert.deepEqual((await readdir(fc)).filter((n) => n !== '.syncline'), []);
    const peers = JSON.parse((await c.cli(['peers', '--json'])).stdout);
    assert.equal(peers[0].connected, false);
  });

  it('encrypts the traffic: a marker in a synced file never appears in a loopback capture', async function () {
    if (process.getuid?.() !== 0) this.skip(); // capturing needs root (CI runs as root)
    await ensureTcpdump();
    const [a, b] = [await start('a'), await start('b')];
    const ports = [a, b].map((d) => d.addresses[0]!.match(/\/tcp\/(\d+)/)![1]!);
    const pcap = path.join(dir, 'capture.pcap');
    const capture = spawn('tcpdump', ['-i', 'lo', '-U', '-w', pcap, `tcp port ${ports[0]} or tcp port ${ports[1]}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let capErr = '';
    capture.stderr.setEncoding('utf8').on('data', (d: string) => (capErr += d));
    try {
      await waitFor(() => /listening on/.test(capErr), 'tcpdump to start', 20_000);
      const marker = `SYNCLINE-MARKER-${randomBytes(12).toString('hex')}`;
      const folders = [path.join(dir, 'fa'), path.join(dir, 'fb')];
      await mkdir(folders[0]!, { recursive: true });
      await writeFile(path.join(folders[0]!, 'marked.txt'), `${marker}\n`.repeat(2000));
      await linkUp([a, b], 'docs', folders);
      await waitFor(async () => existsSync(path.join(folders[1]!, 'marked.txt')) && (await stat(path.join(folders[1]!, 'marked.txt'))).size === (marker.length + 1) * 2000, 'the marked file to arrive');
      assert.equal(await readFile(path.join(folders[1]!, 'marked.txt'), 'utf8'), `${marker}\n`.repeat(2000));
      capture.kill('SIGINT');
      await new Promise((r) => capture.on('close', r));
      const bytes = await readFile(pcap);
      assert.ok(bytes.length > (marker.length + 1) * 2000 * 0.05, `the capture saw the transfer (${bytes.length} bytes)`);
      assert.equal(bytes.includes(Buffer.from(marker)), false, 'the marker is not in the clear on the wire');
      assert.equal(bytes.includes(Buffer.from('marked.txt')), false, 'neither is the file name');
    } finally {
      capture.kill('SIGKILL');
    }
  });

  it('stops cleanly on SIGTERM and catches up after a restart', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const folders = [path.join(dir, 'fa'), path.join(dir, 'fb')];
    await mkdir(folders[0]!, { recursive: true });
    await writeFile(path.join(folders[0]!, 'one.txt'), '1\n');
    await linkUp([a, b], 'docs', folders);
    await waitFor(() => converged(folders), 'first convergence');
    assert.equal(await b.stop('SIGTERM'), 0);
    running.splice(running.indexOf(b), 1);
    assert.equal(existsSync(path.join(b.home, 'daemon.json')), false, 'the runtime file is removed');
    await writeFile(path.join(folders[0]!, 'two.txt'), '2\n');
    await start('b');
    await waitFor(async () => existsSync(path.join(folders[1]!, 'two.txt')), 'b to catch up after restart');
  });
});

describe('behaviours on a running daemon (real processes)', function () {
  this.timeout(180_000);
  it('are defined and attached through the daemon, and honoured by its sessions', async () => {
    const { dir, cleanup } = await tempDir('syncline-daemon-behaviour-');
    const ds: DaemonProcess[] = [];
    try {
      ds.push(await startDaemon(path.join(dir, 'home-a')), await startDaemon(path.join(dir, 'home-b')));
      const [a, b] = ds as [DaemonProcess, DaemonProcess];
      const folders = [path.join(dir, 'fa'), path.join(dir, 'fb')];
      await mkdir(folders[0]!, { recursive: true });
      await writeFile(path.join(folders[0]!, 'guarded.txt'), 'v1\n');
      await writeFile(path.join(folders[0]!, 'free.txt'), 'v1\n');
      await linkUp([a, b], 'docs', folders);
      await waitFor(() => converged(folders), 'first convergence');
      const env = { SYNCLINE_HOME: b.home };
      const define = await runCli(['behaviour', 'define', 'careful', 'ask if remote_modified', '--dir', folders[1]!], { env });
      assert.equal(define.code, 0, define.stderr);
      const attach = await runCli(['behaviour', 'attach', 'careful', '--dir', folders[1]!, '--path', 'guarded.txt'], { env });
      assert.equal(attach.code, 0, attach.stderr);
      const list = JSON.parse((await runCli(['behaviour', 'list', '--dir', folders[1]!, '--json'], { env })).stdout);
      assert.match(JSON.stringify(list), /careful/);
      await writeFile(path.join(folders[0]!, 'guarded.txt'), 'v2 from a\n');
      await writeFile(path.join(folders[0]!, 'free.txt'), 'v2 from a\n');
      await waitFor(async () => (await readFile(path.join(folders[1]!, 'free.txt'), 'utf8')) === 'v2 from a\n', 'the unguarded edit to arrive');
      const waiting = async () => {
        const out = JSON.parse((await runCli(['behaviour', 'list', '--dir', folders[1]!, '--json'], { env })).stdout) as { folders?: { waiting: number }[] } | { waiting: number }[];
        const rows = Array.isArray(out) ? out : (out.folders ?? []);
        return rows.reduce((n, f) => n + f.waiting, 0);
      };
      await waitFor(async () => (await waiting()) === 1, 'the guarded path to wait for a decision');
      assert.equal(await readFile(path.join(folders[1]!, 'guarded.txt'), 'utf8'), 'v1\n', 'the guarded file waits for the user');
    } finally {
      await Promise.all(ds.map((d) => d.stop('SIGKILL')));
      await cleanup();
    }
  });
});
