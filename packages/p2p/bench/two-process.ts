/**
 * Scratch benchmark (not a test): the network layer between two processes, as two daemons use
 * it. The parent's node serves `chunks` replies (fresh buffers, like chunks read from files);
 * a child process's node asks for them the way the engine fetches a large file: `getChunks`
 * requests of 8 MiB, `inflight` of them outstanding (2 files × 2 windows = 4 in the engine).
 *
 *   node --conditions=source --import tsx packages/p2p/bench/two-process.ts [MiB=512] [runs=3] [chunkKiB=128] [inflight=4]
 *
 * Prints wall time, MB/s and the CPU seconds of each process per run.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pino } from 'pino';
import type { Channel } from '@syncline/engine';
import { createNode } from '../src/index.js';
import { tempDir } from '../../../test/helpers/tmp.js';

const MiB = 1024 * 1024;
const WINDOW = 8 * MiB;

interface Ask {
  t: 'getChunks';
  id: number;
}

async function parent(): Promise<void> {
  const totalMiB = Number(process.argv[2] ?? 512);
  const runs = Number(process.argv[3] ?? 3);
  const chunkKiB = Number(process.argv[4] ?? 128);
  const inflight = Number(process.argv[5] ?? 4);
  const chunkBytes = chunkKiB * 1024;
  const template = randomBytes(chunkBytes);
  const { dir, cleanup } = await tempDir('syncline-p2p-2proc-');
  const trusted = new Set<string>();
  const node = await createNode({ home: path.join(dir, 'server'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, isTrusted: (id) => trusted.has(id), logger: pino({ level: 'warn' }) });
  node.handleSync(async ({ channel }) => serve(channel, template, WINDOW / chunkBytes));
  await node.start();
  const child = fork(new URL(import.meta.url).pathname, ['--child'], { execArgv: process.execArgv, stdio: 'inherit' });
  const messages: unknown[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m) => {
    messages.push(m);
    wake?.();
  });
  const next = async <T>(): Promise<T> => {
    while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return messages.shift() as T;
  };
  child.send({ home: path.join(dir, 'client'), server: node.deviceId, addrs: node.addresses() });
  const { deviceId } = await next<{ deviceId: string }>();
  trusted.add(deviceId);
  const rows: { wall: number; parentCpu: number; childCpu: number }[] = [];
  for (let run = 0; run < runs; run++) {
    const cpu0 = process.cpuUsage();
    child.send({ run: true, bytes: totalMiB * MiB, inflight });
    const result = await next<{ wall: number; cpu: number }>();
    const cpu = process.cpuUsage(cpu0);
    rows.push({ wall: result.wall, parentCpu: (cpu.user + cpu.system) / 1e6, childCpu: result.cpu });
    console.log(
      `run ${run + 1}: ${result.wall.toFixed(2)} s = ${((totalMiB * MiB) / 1e6 / result.wall).toFixed(0)} MB/s; CPU server ${rows.at(-1)!.parentCpu.toFixed(2)} s, client ${result.cpu.toFixed(2)} s`,
    );
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `two processes, ${totalMiB} MiB in ${chunkKiB} KiB chunks, ${inflight} requests of 8 MiB in flight: median ${median(rows.map((r) => r.wall)).toFixed(2)} s = ${((totalMiB * MiB) / 1e6 / median(rows.map((r) => r.wall))).toFixed(0)} MB/s; ` +
      `CPU server ${median(rows.map((r) => r.parentCpu)).toFixed(2)} s, client ${median(rows.map((r) => r.childCpu)).toFixed(2)} s (medians)`,
  );
  child.send({ exit: true });
  await new Promise((resolve) => child.once('exit', resolve));
  await node.stop();
  await cleanup();
}

/** Answers every request with `perReply` fresh chunks (allocated and filled, as a file read would). */
async function serve(channel: Channel, template: Buffer, perReply: number): Promise<void> {
  for (;;) {
    let ask: Ask;
    try {
      ask = (await channel.receive()) as Ask;
    } catch {
      return;
    }
    const chunks = Array.from({ length: perReply }, (_, i) => ({ hash: i.toString(16).padStart(64, '0'), data: Buffer.from(template) }));
    await channel.send({ t: 'chunks', id: ask.id, chunks });
  }
}

async function child(): Promise<void> {
  const inbox: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  process.on('message', (m) => {
    inbox.push(m as Record<string, unknown>);
    wake?.();
  });
  const next = async (): Promise<Record<string, unknown>> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return inbox.shift()!;
  };
  const setup = (await next()) as { home: string; server: string; addrs: string[] };
  const node = await createNode({ home: setup.home, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, isTrusted: (id) => id === setup.server, logger: pino({ level: 'warn' }) });
  await node.start();
  process.send!({ deviceId: node.deviceId });
  for (;;) {
    const m = await next();
    if (m.exit) break;
    const { bytes, inflight } = m as { bytes: number; inflight: number };
    await node.connect(setup.server, setup.addrs);
    const channel = await node.openSync(setup.server, 'bench');
    const requests = Math.ceil(bytes / WINDOW);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    // One reader (like SessionIO's read loop) and `inflight` requests outstanding.
    let sent = 0;
    let received = 0;
    while (sent < Math.min(inflight, requests)) await channel.send({ t: 'getChunks', id: ++sent });
    while (received < requests) {
      const reply = (await channel.receive()) as { chunks: { data: Uint8Array }[] };
      let length = 0;
      for (const c of reply.chunks) length += c.data.byteLength;
      if (length !== WINDOW) throw new Error(`a reply of ${length} bytes`);
      received++;
      if (sent < requests) await channel.send({ t: 'getChunks', id: ++sent });
    }
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    channel.close();
    process.send!({ wall, cpu: (cpu.user + cpu.system) / 1e6 });
  }
  await node.stop();
  process.disconnect();
}

if (process.argv.includes('--child')) await child();
else await parent();
