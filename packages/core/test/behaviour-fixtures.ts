import { createHash } from 'node:crypto';
import type { EntryKind, FileRecord, Hlc, VersionVector } from '../src/index.js';

/** Replica IDs used across the behaviour tests: L plans locally, R is the peer. */
export const L = 'llllllllllll2';
export const R = 'rrrrrrrrrrrr2';
export const C = 'cccccccccccc2';

export interface RecordOptions {
  readonly path?: string;
  readonly content?: string;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly hlc?: Hlc;
  readonly by?: string;
  readonly kind?: EntryKind;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A live file whose content is `content` (hash and size follow from it unless size is given). */
export function live(version: VersionVector, options: RecordOptions = {}): FileRecord {
  const kind = options.kind ?? 'file';
  const content = options.content ?? 'content';
  const size = kind === 'file' ? (options.size ?? content.length) : 0;
  const hash = kind === 'file' ? sha(`${content}:${size}`) : '';
  const mtimeMs = options.mtimeMs ?? 1_700_000_000_000;
  return {
    path: options.path ?? 'docs/report.txt',
    kind,
    deleted: false,
    size,
    mtimeMs,
    mode: 0o644,
    hash,
    chunks: size > 0 ? [{ hash, size }] : [],
    target: '',
    version,
    seq: 7,
    hlc: options.hlc ?? { t: mtimeMs, c: 0 },
    by: options.by ?? Object.keys(version).at(-1) ?? L,
  };
}

export function tomb(version: VersionVector, options: RecordOptions = {}): FileRecord {
  const record = live(version, options);
  return { ...record, deleted: true, size: 0, hash: '', chunks: [] };
}
