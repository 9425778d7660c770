import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { META_DIR, type FileRecord } from '@syncline/core';
import { openStore, type IndexEntry, type Store } from '@syncline/store';
import { tempDir } from '../../../../test/helpers/tmp.js';
import { ReplicaClock } from '../../src/clock.js';
import { scanReplica, type ScanOptions, type ScanResult } from '../../src/scanner.js';
import { MemoryStore } from './memory-store.js';

/** How a suite gets a store for a replica root; the scanner suites run once per kind. */
export interface StoreKind {
  readonly name: string;
  open(root: string): Promise<Store>;
}

export const STORE_KINDS: readonly StoreKind[] = [
  { name: 'memory store', open: async () => new MemoryStore() },
  { name: 'LevelDB store', open: (root) => openStore(root) },
];

export interface ReplicaFixture {
  readonly root: string;
  readonly store: Store;
  readonly clock: ReplicaClock;
  scan(options?: ScanOptions): Promise<ScanResult>;
  abs(relPath: string): string;
  write(relPath: string, content: string | Buffer): Promise<void>;
  entry(relPath: string): Promise<IndexEntry | undefined>;
  record(relPath: string): Promise<FileRecord>;
  /** Every entry in the store, tombstones included, by path. */
  all(): Promise<Map<string, IndexEntry>>;
  close(): Promise<void>;
}

/** A replica in a fresh temp dir: `.syncline/` created, a store open, a clock on a fake wall time. */
export async function makeReplica(kind: StoreKind): Promise<ReplicaFixture> {
  const { dir: root, cleanup } = await tempDir('syncline-scan-');
  await mkdir(path.join(root, META_DIR));
  const store = await kind.open(root);
  let wall = 1_700_000_000_000;
  const clock = new ReplicaClock(undefined, () => (wall += 1000));
  const abs = (relPath: string) => path.join(root, relPath);
  const fixture: ReplicaFixture = {
    root,
    store,
    clock,
    abs,
    scan: (options) => scanReplica(root, store, clock, options),
    async write(relPath, content) {
      await mkdir(path.dirname(abs(relPath)), { recursive: true });
      await writeFile(abs(relPath), content);
    },
    entry: (relPath) => store.get(relPath),
    async record(relPath) {
      const entry = await store.get(relPath);
      if (!entry) throw new Error(`no record for ${relPath}`);
      return entry.record;
    },
    async all() {
      const out = new Map<string, IndexEntry>();
      for await (const entry of store.entries()) out.set(entry.record.path, entry);
      return out;
    },
    async close() {
      await store.close();
      await cleanup();
    },
  };
  return fixture;
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** What the disk holds below `root` (except `.syncline`), as the index should describe it. */
export function describeDisk(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      if (child === META_DIR) continue;
      const abs = path.join(root, child);
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        out.set(child, 'dir');
        visit(child);
      } else if (st.isSymbolicLink()) {
        out.set(child, `symlink ${readlinkSync(abs)}`);
      } else {
        out.set(child, `file ${sha256(readFileSync(abs))} x=${(st.mode & 0o111) !== 0}`);
      }
    }
  };
  visit('');
  return out;
}

/** The live records of the index, in the same form as describeDisk. */
export function describeIndex(entries: Map<string, IndexEntry>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, { record }] of entries) {
    if (record.deleted) continue;
    if (record.kind === 'dir') out.set(p, 'dir');
    else if (record.kind === 'symlink') out.set(p, `symlink ${record.target}`);
    else out.set(p, `file ${record.hash} x=${(record.mode & 0o111) !== 0}`);
  }
  return out;
}
