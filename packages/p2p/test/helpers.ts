import { Writable } from 'node:stream';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { pino } from 'pino';
import type { Logger } from '@syncline/engine';
import { createNode, type SynclineNode } from '../src/index.js';
import { cancelAddressManagerDebounce, closeCallbacksRun } from '../src/libp2p-quirks.js';
import { tempDir } from '../../../test/helpers/tmp.js';

export const LOOPBACK = '/ip4/127.0.0.1/tcp/0';

/** Polls `condition` until it holds or the deadline passes (never a fixed sleep). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface LogEntry {
  level: number;
  msg: string;
  peer?: string;
  err?: string;
  [key: string]: unknown;
}

/** A pino logger whose JSON lines are kept in `entries` (level 'debug' and up). */
export function captureLogger(): { logger: Logger; entries: LogEntry[]; warnings: () => LogEntry[] } {
  const entries: LogEntry[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) entries.push(JSON.parse(line) as LogEntry);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return { logger, entries, warnings: () => entries.filter((e) => e.level >= 40) };
}

export interface TestNode {
  node: SynclineNode;
  home: string;
  trusted: Set<string>;
  log: ReturnType<typeof captureLogger>;
}

/** Started nodes on 127.0.0.1 (mDNS off), each with its own temp home and trust set. */
export async function startNodes(count: number): Promise<{ nodes: TestNode[]; stop: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('syncline-p2p-');
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const trusted = new Set<string>();
    const log = captureLogger();
    const home = `${dir}/home${i}`;
    const node = await createNode({ home, listen: [LOOPBACK], mdns: false, isTrusted: (id) => trusted.has(id), logger: log.logger });
    await node.start();
    nodes.push({ node, home, trusted, log });
  }
  return {
    nodes,
    async stop() {
      await Promise.allSettled(nodes.map((n) => n.node.stop()));
      await cleanup();
    },
  };
}

/** Makes every pair of the given nodes trust each other. */
export function trustEachOther(...nodes: TestNode[]): void {
  for (const a of nodes) for (const b of nodes) if (a !== b) a.trusted.add(b.node.deviceId);
}

/** A bare libp2p node (TCP + Noise + yamux, no gate) to play a misbehaving peer; stop() leaves nothing behind. */
export async function rawLibp2p(privateKey?: PrivateKey): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: privateKey ?? (await generateKeyPair('Ed25519')),
    addresses: { listen: [LOOPBACK] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
  const stop = node.stop.bind(node);
  node.stop = async () => {
    await stop();
    cancelAddressManagerDebounce(node);
    await closeCallbacksRun();
  };
  return node;
}

/** Listening TCP servers, open TCP sockets and pending timers of this process. */
export function activeResources(): { servers: number; sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  const count = (kind: string): number => info.filter((r) => r === kind).length;
  return { servers: count('TCPServerWrap'), sockets: count('TCPSocketWrap'), timers: count('Timeout') };
}

/** Every file and directory under `root` except `.syncline/`: relative path → sha256 (or 'dir'). */
export async function treeOf(root: string): Promise<Map<string, string>> {
  const { readdir, readFile } = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  const out = new Map<string, string>();
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (prefix === '' && entry.name === '.syncline') continue;
      const rel = prefix + entry.name;
      const full = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        out.set(rel, 'dir');
        await walk(full, rel + '/');
      } else {
        out.set(rel, createHash('sha256').update(await readFile(full)).digest('hex'));
      }
    }
  }
  await walk(root, '');
  return out;
}
