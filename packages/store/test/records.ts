import { createHash } from 'node:crypto';
import type { ChunkRef, EntryKind, FileRecord } from '@syncline/core';
import type { IndexEntry, StatStamp } from '../src/index.js';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A chunk named `name` (its hash is sha256(name)). */
export const chunk = (name: string, size: number): ChunkRef => ({ hash: sha256(name), size });

export interface RecordSpec {
  kind?: EntryKind;
  deleted?: boolean;
  chunks?: readonly ChunkRef[];
  seq?: number;
  /** Distinguishes versions of one path. */
  version?: number;
  by?: string;
}

/** A record that passes parseRecord: a live file's size is the sum of its chunks. */
export function record(path: string, spec: RecordSpec = {}): FileRecord {
  const kind = spec.kind ?? 'file';
  const deleted = spec.deleted ?? false;
  const chunks = spec.chunks ?? [];
  const live = !deleted && kind === 'file';
  const version = spec.version ?? 1;
  const by = spec.by ?? 'aaaaaaaaaaaaa';
  return {
    path,
    kind,
    deleted,
    size: live ? chunks.reduce((n, c) => n + c.size, 0) : 0,
    mtimeMs: 1_700_000_000_000 + version,
    mode: 0o644,
    hash: live ? sha256(`${path}#${version}`) : kind === 'symlink' && !deleted ? sha256('target') : '',
    chunks,
    target: kind === 'symlink' && !deleted ? 'target' : '',
    version: { [by]: version },
    seq: spec.seq ?? 0,
    hlc: { t: 1_700_000_000_000 + version, c: 0 },
    by,
  };
}

export function stamp(size: number, ino = 1): StatStamp {
  return { size, mtimeMs: 1_700_000_000_000, ctimeMs: 1_700_000_000_000, ino };
}

/** An entry as a scan would commit it: a new change (seq 0) with a stat stamp for live files. */
export function change(path: string, spec: RecordSpec = {}): IndexEntry {
  const r = record(path, spec);
  return { record: r, stat: r.deleted ? null : stamp(r.size) };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
