import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatBytes } from '../format.js';
import { startProgress } from '../progress.js';

interface DemoOpts {
  keep?: boolean;
  once?: boolean;
  dir?: string;
}

const say = (text: string) => process.stdout.write(`${text}\n`);

async function sampleFolder(dir: string): Promise<{ files: number; bytes: number }> {
  const files: [string, string | Buffer][] = [
    ['README.txt', 'Welcome to Syncline. Everything in this folder syncs to the other node.\n'],
    ['notes/ideas.md', '# Ideas\n\n- sync without a server\n- never lose a byte\n'],
    ['notes/todo.txt', 'pair two laptops\nwatch a folder sync\n'],
    ['photos/holiday.jpg', randomBytes(6 << 20)],
    ['photos/cat.png', randomBytes(900 << 10)],
    ['music/track01.bin', randomBytes(3 << 20)],
  ];
  let bytes = 0;
  for (const [rel, content] of files) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
    bytes += content.length;
  }
  return { files: files.length, bytes };
}

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`the demo timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `syncline demo`: two nodes with temporary homes on 127.0.0.1 (mDNS off), paired with a code,
 * one folder shared; shows the transfer, the dashboard URL, then an edit arriving on the other
 * side. Ctrl-C stops both nodes and removes everything the demo made.
 */
export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description('two local nodes, paired, one folder syncing live, with the dashboard (Ctrl-C stops and cleans up)')
    .option('--once', 'stop after the edit has arrived instead of waiting for Ctrl-C')
    .option('--keep', 'keep the temporary folders afterwards (prints where they are)')
    .option('--dir <dir>', 'where to put the temporary homes and folders (default: the OS temp dir)')
    .action(async (opts: DemoOpts) => {
      process.env.SYNCLINE_LOG ??= 'warn';
      const { ApiClient, Daemon, saveConfig, DEFAULT_CONFIG, homeFiles, readToken } = await import('@syncline/daemon');
      const base = await mkdtemp(path.join(opts.dir ?? os.tmpdir(), 'syncline-demo-'));
      const alice = path.join(base, 'alice');
      const bob = path.join(base, 'bob');
      const homes = { a: path.join(base, 'home-alice'), b: path.join(base, 'home-bob') };
      const daemons: InstanceType<typeof Daemon>[] = [];
      const clients: Awaited<ReturnType<typeof ApiClient.connect>>[] = [];
      let stopping = false;
      const cleanup = async () => {
        if (stopping) return;
        stopping = true;
        for (const c of clients) c.close();
        await Promise.allSettled(daemons.map((d) => d.stop()));
        if (opts.keep) say(`\nkept ${base}`);
        else await rm(base, { recursive: true, force: true });
      };
      const interrupted = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      try {
        for (const [home, name] of [
          [homes.a, 'alice'],
          [homes.b, 'bob'],
        ] as const) {
          await mkdir(home, { recursive: true, mode: 0o700 });
          await saveConfig(homeFiles(home).config, { ...DEFAULT_CONFIG, name, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, apiPort: 0, debounceMs: 50, folderRoot: base });
          const d = new Daemon({ home });
          await d.start();
          daemons.push(d);
        }
        const [a, b] = [await ApiClient.connect(homes.a), await ApiClient.connect(homes.b)];
        clients.push(a, b);
        const ids = { a: await a.call<{ deviceId: string; addresses: string[] }>('id'), b: await b.call<{ deviceId: string }>('id') };
        say(`two nodes on 127.0.0.1:\n  alice ${ids.a.deviceId}\n  bob   ${ids.b.deviceId}`);

        const { code } = await a.call<{ code: string }>('pair.start');
        say(`\n1. alice shows the pairing code ${code}; bob types it (SPAKE2: a wrong code learns nothing)`);
        await b.call('pair.join', { code, addr: ids.a.addresses[0] });
        say('   paired: each side now trusts the other');

        const sample = await sampleFolder(alice);
        await a.call('folder.add', { id: 'demo', path: alice });
        const offered = new Promise<void>((resolve) => b.onEvent((event) => event === 'offer' && resolve()));
        await a.call('folder.share', { id: 'demo', deviceId: ids.b.deviceId });
        say(`\n2. alice shares the folder "demo" (${sample.files} files, ${formatBytes(sample.bytes)}); bob accepts it into ${bob}`);
        await offered;
        await b.call('folder.accept', { id: 'demo', path: bob });

        const progress = startProgress(true);
        let received = 0;
        const off = b.onEvent((event, data) => {
          if (event !== 'progress') return;
          const p = data as { bytesTransferred: number; bytesReused: number; filesPrepared: number };
          received = p.bytesTransferred + p.bytesReused;
          progress.update({ stage: 'syncing', files: p.filesPrepared, bytes: received, totalBytes: sample.bytes });
        });
        const started = Date.now();
        await until(async () => existsSync(path.join(bob, 'photos/holiday.jpg')) && existsSync(path.join(bob, 'music/track01.bin')) && existsSync(path.join(bob, 'notes/todo.txt')), 60_000, 'the first sync');
        off();
        progress.stop();
        say(`   bob has the folder: ${formatBytes(sample.bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

        const token = await readToken(homeFiles(homes.a).token);
        const port = daemons[0]!.apiPort;
        say(`\n3. the dashboard (alice): http://127.0.0.1:${port}/#token=${token}`);

        const note = path.join(alice, 'notes/todo.txt');
        const line = `edited on alice at ${new Date().toLocaleTimeString()}\n`;
        const t0 = Date.now();
        await appendFile(note, line);
        await until(async () => (await readFile(path.join(bob, 'notes/todo.txt'), 'utf8').catch(() => '')).endsWith(line), 30_000, 'the edit to arrive');
        say(`\n4. alice edits notes/todo.txt → it arrives on bob in ${Date.now() - t0} ms`);
        if (!opts.once) {
          say(`\nEdit files in ${alice} or ${bob} and watch them sync. Ctrl-C stops both nodes and removes the demo.`);
          await interrupted;
        }
      } finally {
        await cleanup();
      }
      say('demo stopped');
    });
}
