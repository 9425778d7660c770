import type { FileRecord } from '@syncline/core';
import type { Store } from '@syncline/store';
import { StoredSettingError } from './behaviours-errors.js';

/*
 * Conflict copies (`name.sync-conflict-YYYYMMDD-HHMMSS-<replica>.ext`, DESIGN.md §3) are the
 * other half of what waits for the user: `syncline conflicts` and the dashboard list them
 * beside the ask queue. A copy the user chose to keep beside the original is "dismissed":
 * remembered (path and content hash) in the replica's store so it is not listed again,
 * until its content changes.
 */
export const DISMISSED_COPIES_KEY = 'dismissedConflictCopies';

const COPY_NAME = /^(.*)\.sync-conflict-(\d{8})-(\d{6})-([a-z0-9]+)(?:-\d+)?(\.[^./]*)?$/;

/** A conflict copy's name taken apart: the path it belongs to and the replica whose version it holds. */
export interface ConflictCopyName {
  readonly original: string;
  readonly madeBy: string;
}

/** The parts of a conflict copy's path (also `…-2.ext` when the first name was taken), or undefined. */
export function parseConflictCopyPath(copyPath: string): ConflictCopyName | undefined {
  const slash = copyPath.lastIndexOf('/');
  const dir = copyPath.slice(0, slash + 1);
  const m = COPY_NAME.exec(copyPath.slice(slash + 1));
  if (!m || m[1] === '') return undefined;
  return { original: `${dir}${m[1]}${m[5] ?? ''}`, madeBy: m[4]! };
}

export interface ConflictCopy extends ConflictCopyName {
  readonly record: FileRecord;
}

export interface DismissedCopy {
  readonly path: string;
  readonly hash: string;
}

/** Live conflict copies in the replica's index that the user has not dismissed, in path order. */
export async function listConflictCopies(store: Pick<Store, 'entries' | 'getMeta'>): Promise<ConflictCopy[]> {
  const dismissed = new Set((await loadDismissedCopies(store)).map(dismissedKey));
  const out: ConflictCopy[] = [];
  for await (const { record } of store.entries()) {
    if (record.deleted || record.kind === 'dir') continue;
    const name = parseConflictCopyPath(record.path);
    if (!name || dismissed.has(dismissedKey(record))) continue;
    out.push({ ...name, record });
  }
  return out;
}

export async function loadDismissedCopies(store: Pick<Store, 'getMeta'>): Promise<DismissedCopy[]> {
  const value = await store.getMeta(DISMISSED_COPIES_KEY);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new StoredSettingError(DISMISSED_COPIES_KEY, 'not a list');
  return value.map((raw, i) => {
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof r.path !== 'string' || typeof r.hash !== 'string') throw new StoredSettingError(DISMISSED_COPIES_KEY, `entry ${i + 1} is malformed`);
    return { path: r.path, hash: r.hash };
  });
}

/**
 * Remembers copies the user keeps beside their originals; entries for copies no longer in
 * the index are dropped on the way.
 */
export async function dismissCopies(store: Pick<Store, 'getMeta' | 'setMeta' | 'getMany'>, copies: readonly DismissedCopy[]): Promise<void> {
  const all = new Map([...(await loadDismissedCopies(store)), ...copies].map((d) => [dismissedKey(d), d] as const));
  const entries = await store.getMany([...all.values()].map((d) => d.path));
  const kept = [...all.values()].filter((d, i) => {
    const r = entries[i]?.record;
    return r !== undefined && !r.deleted && r.hash === d.hash;
  });
  await store.setMeta(DISMISSED_COPIES_KEY, kept.length === 0 ? undefined : kept);
}

function dismissedKey(d: { readonly path: string; readonly hash: string }): string {
  return `${d.path}\0${d.hash}`;
}
