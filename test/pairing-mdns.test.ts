/**
 * Pairing over mDNS, the way two laptops on a LAN pair: `syncline pair` on one, the code on the
 * other, no address given. Multicast never touches the host network: the two hosts are network
 * namespaces this test creates, joined by one veth pair (10.78.0.1 ↔ 10.78.0.2), removed after.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TSX_IMPORT } from './helpers/cli.js';
import { waitFor } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'packages/cli/src/bin.ts');
const NS = [`sl-pair-a-${process.pid}`, `sl-pair-b-${process.pid}`];
const ADDR = ['10.78.0.1', '10.78.0.2'];

async function sh(...cmd: string[]): Promise<string> {
  return (await run(cmd[0]!, cmd.slice(1))).stdout;
}

function syncline(ns: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '--conditions=source', '--import', TSX_IMPORT, BIN, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

function collect(child: ChildProcess): { out: () => string; done: Promise<number | null> } {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { out: () => out, done: new Promise((resolve) => child.on('close', resolve)) };
}

describe('pairing over mDNS between two network namespaces', function () {
  this.timeout(180_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  const children: ChildProcess[] = [];

  before(async function () {
    if (process.getuid?.() !== 0) {
      console.log('    (skipped: network namespaces need root; CI runs as root)');
      this.skip();
    }
    ({ dir, cleanup } = await tempDir('syncline-mdns-'));
    for (const ns of NS) await sh('ip', 'netns', 'add', ns);
    await sh('ip', 'link', 'add', 'slpa0', 'netns', NS[0]!, 'type', 'veth', 'peer', 'name', 'slpb0', 'netns', NS[1]!);
    for (const [i, ns] of NS.entries()) {
      const dev = i === 0 ? 'slpa0' : 'slpb0';
      await sh('ip', '-n', ns, 'addr', 'add', `${ADDR[i]}/24`, 'dev', dev);
      await sh('ip', '-n', ns, 'link', 'set', dev, 'up', 'multicast', 'on');
      await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      await sh('ip', '-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
    }
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of NS) await sh('ip', 'netns', 'del', ns).catch(() => undefined);
    const left = await sh('ip', 'netns', 'list');
    for (const ns of NS) assert.doesNotMatch(left, new RegExp(ns), `namespace ${ns} was removed`);
    await cleanup?.();
  });

  it('finds the other device through mDNS and pairs with the code alone', async () => {
    const homes = [path.join(dir, 'home-a'), path.join(dir, 'home-b')];
    const daemons = homes.map((home, i) => {
      const child = syncline(NS[i]!, ['daemon', '--home', home, '--listen', '/ip4/0.0.0.0/tcp/4001', '--api-port', '0', '--json'], { SYNCLINE_LOG: 'info' });
      children.push(child);
      return collect(child);
    });
    for (const d of daemons) await waitFor(() => d.out().includes('"event":"started"'), 'the daemons to start', 60_000);
    const ids = daemons.map((d) => JSON.parse(d.out().split('\n').find((l) => l.startsWith('{"event":"started"'))!).deviceId as string);

    const host = collect(syncline(NS[0]!, ['pair', '--home', homes[0]!, '--json']));
    await waitFor(() => host.out().includes('"code"'), 'the code', 30_000);
    const code = JSON.parse(host.out().split('\n').find((l) => l.startsWith('{"code"'))!).code as string;
    // mDNS announcements take a moment; joining retries until it sees the host.
    let joined = '';
    await waitFor(async () => {
      const j = collect(syncline(NS[1]!, ['pair', code, '--home', homes[1]!, '--json']));
      const exit = await j.done;
      joined = j.out();
      return exit === 0;
    }, 'b to find a through mDNS and pair', 90_000);
    assert.match(joined, new RegExp(ids[0]!));
    assert.equal(await host.done, 0, host.out());
    const peers = collect(syncline(NS[0]!, ['peers', '--home', homes[0]!, '--json']));
    await peers.done;
    assert.equal(JSON.parse(peers.out())[0].deviceId, ids[1]);
  });
});
