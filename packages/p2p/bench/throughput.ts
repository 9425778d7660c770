/**
 * Scratch benchmark (not a test): throughput over loopback between two Syncline nodes in one
 * process, mDNS off.
 *
 *   node --conditions=source --import tsx packages/p2p/bench/throughput.ts [MiB] [runs] [all|channel|session]
 *
 * 1. channel: MiB of 8 MiB `chunks`-shaped messages over one sync stream (framing + Noise + yamux).
 * 2. session: one file of MiB random bytes, runSession between two DiskReplicas over the nodes,
 *    beside the same session over the in-process memoryChannelPair (the engine's own cost).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { memoryChannelPair, runSession, type Channel } from '@syncline/engine';
import { pino } from 'pino';
import { createNode, type SynclineNode } from '../src/index.js';
import { tempDir } from '../../../test/helpers/tmp.js';

const MiB = 1024 * 1024;
const totalMiB = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const mode = process.argv[4] ?? 'all'; // all | channel | session | network (session over the network only)
const bytes = totalMiB * MiB;

function mbps(seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function twoNodes(home: string): Promise<[SynclineNode, SynclineNode]> {
  const logger = pino({ level: 'warn' });
  const ids = new Set<string>();
  const make = (name: string) => createNode({ home: path.join(home, name), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, isTrusted: (id) => ids.has(id), logger });
  const a = await make('a');
  const b = await make('b');
  ids.add(a.deviceId).add(b.deviceId);
  await a.start();
  await b.start();
  await a.connect(b.deviceId, b.addresses());
  return [a, b];
}

const channelCpu: number[] = [];

async function channelRun(a: SynclineNode, b: SynclineNode): Promise<number> {
  const message = { t: 'chunks', id: 1, chunks: Array.from({ length: 16 }, (_, i) => ({ hash: i.toString(16).padStart(64, '0'), data: randomBytes(512 * 1024) })) };
  const perMessage = 16 * 512 * 1024;
  const count = Math.ceil(bytes / perMessage);
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    b.handleSync(async ({ channel }) => {
      try {
        for (let i = 0; i < count; i++) {
          await channel.receive();
          received++;
        }
        await channel.send({ ok: true });
        resolve();
      } catch (err) {
        reject(err as Error);
      }
    });
  });
  const channel = await a.openSync(b.deviceId, 'bench');
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) await channel.send(message);
  await channel.receive();
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  channelCpu.push((cpu.user + cpu.system) / 1e6);
  channel.close();
  if (received !== count) throw new Error('lost messages');
  return seconds;
}

const sessionCpu = new Map<string, number[]>();

async function sessionRun(dir: string, run: number, channels: () => Promise<[Channel, Promise<Channel>]>, file: Buffer, label: string): Promise<number> {
  const rootA = path.join(dir, `a${run}`);
  const rootB = path.join(dir, `b${run}`);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(rootA);
  await mkdir(rootB);
  await writeFile(path.join(rootA, 'big.bin'), file);
  const { DiskReplica } = await import('@syncline/replica');
  const [ra, rb] = await Promise.all([DiskReplica.open(rootA), DiskReplica.open(rootB)]);
  await ra.scan();
  await rb.scan();
  const [initiatorChannel, responderChannel] = await channels();
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const responder = responderChannel.then((c) => runSession(rb, c, { folder: 'bench', role: 'responder' }));
  await runSession(ra, initiatorChannel, { folder: 'bench', role: 'initiator' });
  const result = await responder;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  sessionCpu.set(label, [...(sessionCpu.get(label) ?? []), (cpu.user + cpu.system) / 1e6]);
  if (result.transfer.bytesTransferred !== file.length) throw new Error(`transferred ${result.transfer.bytesTransferred}`);
  await ra.close();
  await rb.close();
  return seconds;
}

const { dir, cleanup } = await tempDir('syncline-p2p-bench-');
try {
  const [a, b] = await twoNodes(dir);
  const channelTimes: number[] = [];
  for (let i = 0; i < runs && mode !== 'session' && mode !== 'network'; i++) channelTimes.push(await channelRun(a, b));
  if (mode !== 'session' && mode !== 'network') console.log(`channel  ${totalMiB} MiB in 8 MiB messages: median ${median(channelTimes).toFixed(2)} s = ${mbps(median(channelTimes))} (runs: ${channelTimes.map((t) => t.toFixed(2)).join(', ')} s); CPU ${channelCpu.map((t) => t.toFixed(2)).join(', ')} s = ${(bytes / 1e6 / Math.min(...channelCpu)).toFixed(0)} MB per CPU-second (best)`);

  const file = mode === 'channel' ? Buffer.alloc(0) : randomBytes(bytes);
  const overNetwork: number[] = [];
  const inMemory: number[] = [];
  for (let i = 0; i < runs && mode !== 'channel'; i++) {
    if (mode !== 'network') inMemory.push(
      await sessionRun(dir, i * 2, async () => {
        const [x, y] = memoryChannelPair();
        return [x, Promise.resolve(y)];
      }, file, 'memory'),
    );
    overNetwork.push(
      await sessionRun(dir, i * 2 + 1, async () => {
        let handed: (c: Channel) => void = () => undefined;
        const incoming = new Promise<Channel>((resolve) => (handed = resolve));
        let finished: () => void = () => undefined;
        const sessionOver = new Promise<void>((resolve) => (finished = resolve));
        b.handleSync(async ({ channel }) => {
          handed(channel);
          await sessionOver; // the session runs in sessionRun; keep the handler open until then
        });
        const out = await a.openSync(b.deviceId, 'bench');
        const wrapped: Channel = { send: (m) => out.send(m), receive: () => out.receive(), close: (r) => (out.close(r), finished()) };
        return [wrapped, incoming];
      }, file, 'network'),
    );
  }
  if (mode !== 'channel' && mode !== 'network') console.log(`session  ${totalMiB} MiB file, in-process channel: median ${median(inMemory).toFixed(2)} s = ${mbps(median(inMemory))} (runs: ${inMemory.map((t) => t.toFixed(2)).join(', ')} s); CPU ${sessionCpu.get('memory')!.map((t) => t.toFixed(2)).join(', ')} s`);
  if (mode !== 'channel') console.log(`session  ${totalMiB} MiB file, over the network:  median ${median(overNetwork).toFixed(2)} s = ${mbps(median(overNetwork))} (runs: ${overNetwork.map((t) => t.toFixed(2)).join(', ')} s); CPU ${sessionCpu.get('network')!.map((t) => t.toFixed(2)).join(', ')} s`);
  await a.stop();
  await b.stop();
} finally {
  await cleanup();
}
