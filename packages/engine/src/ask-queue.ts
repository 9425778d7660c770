import {
  createAskItem,
  isValidRelativePath,
  isVersionVector,
  vectorsEqual,
  type AskItem,
  type DeferAction,
  type FileRecord,
  type VersionVector,
} from '@syncline/core';
import type { Store } from '@syncline/store';
import { StoredSettingError } from './behaviours-errors.js';

/*
 * The ask queue (seed 002, point 2): paths a behaviour parked with `ask`, per replica, in
 * its store under one meta key. An item remembers the two versions it was asked about;
 * a decision the user records applies the next time the peer's change is planned (the
 * session that asked did not count it as synced, so the peer offers it again), and only
 * while both versions are still the ones the user saw.
 */
export const ASK_QUEUE_KEY = 'askQueue';

/** What a user may decide for a parked path: the applying commands, plus a permanent ignore. */
export const ASK_DECISIONS = ['import', 'export', 'delete', 'rename_both', 'ignore'] as const;
export type AskDecision = (typeof ASK_DECISIONS)[number];

export interface QueuedAsk extends AskItem {
  /** The local record's version when asked (null: no local record). */
  readonly localVersion: VersionVector | null;
  readonly remoteVersion: VersionVector;
  /** Set by the user (`syncline conflicts --apply`); carried out by the next session with the peer. */
  readonly decision?: AskDecision;
}

const MAX_ITEMS = 1_000_000;
const KINDS = new Set(['conflict', 'added', 'modified', 'deleted']);
const ENTRIES = new Set(['file', 'dir', 'symlink']);

export function askKey(item: { readonly peer: string; readonly path: string }): string {
  return `${item.peer}\0${item.path}`;
}

export async function loadAskQueue(store: Pick<Store, 'getMeta'>): Promise<QueuedAsk[]> {
  return parseQueue(await store.getMeta(ASK_QUEUE_KEY));
}

export async function saveAskQueue(store: Pick<Store, 'setMeta'>, items: readonly QueuedAsk[]): Promise<void> {
  await store.setMeta(ASK_QUEUE_KEY, items.length === 0 ? undefined : items.map(toStored));
}

/**
 * The queue item for a deferred `ask`. When the same versions were already queued, the
 * earlier item keeps its time and any decision.
 */
export function queuedAsk(action: DeferAction, peer: string, folder: string, nowMs: number, previous?: QueuedAsk): QueuedAsk {
  const localVersion = action.local?.version ?? null;
  const remoteVersion = action.remote.version;
  const same = previous !== undefined && sameVersions(previous, action.local, action.remote);
  const item = createAskItem(action, peer, folder, same ? previous.createdMs : nowMs);
  return { ...item, localVersion, remoteVersion, ...(same && previous.decision ? { decision: previous.decision } : {}) };
}

/** True while the local and remote records are the ones the item was asked about. */
export function sameVersions(item: QueuedAsk, local: FileRecord | undefined, remote: FileRecord): boolean {
  const localSame = item.localVersion === null ? local === undefined : local !== undefined && vectorsEqual(item.localVersion, local.version);
  return localSame && vectorsEqual(item.remoteVersion, remote.version);
}

/** Records the user's decision on queued items (by peer and path); returns how many were found. */
export async function decideAsks(
  store: Pick<Store, 'getMeta' | 'setMeta'>,
  keys: readonly { readonly peer: string; readonly path: string }[],
  decision: AskDecision,
): Promise<number> {
  const wanted = new Set(keys.map(askKey));
  let found = 0;
  const items = (await loadAskQueue(store)).map((item) => {
    if (!wanted.has(askKey(item))) return item;
    found++;
    return { ...item, decision };
  });
  if (found > 0) await saveAskQueue(store, items);
  return found;
}

function toStored(item: QueuedAsk): Record<string, unknown> {
  // msgpack has no `undefined`: absent values are stored as null.
  return {
    path: item.path,
    kind: item.kind,
    entry: item.entry,
    localSize: item.localSize ?? null,
    remoteSize: item.remoteSize ?? null,
    localMtimeMs: item.localMtimeMs ?? null,
    remoteMtimeMs: item.remoteMtimeMs ?? null,
    peer: item.peer,
    folder: item.folder,
    reason: item.reason,
    createdMs: item.createdMs,
    localVersion: item.localVersion,
    remoteVersion: item.remoteVersion,
    decision: item.decision ?? null,
  };
}

function parseQueue(value: unknown): QueuedAsk[] {
  if (value === undefined) return [];
  const fail = (reason: string): never => {
    throw new StoredSettingError(ASK_QUEUE_KEY, reason);
  };
  if (!Array.isArray(value) || value.length > MAX_ITEMS) fail('not a list of queued paths');
  return (value as unknown[]).map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) fail(`item ${i + 1} is not an object`);
    const r = raw as Record<string, unknown>;
    const bad = (field: string): never => fail(`item ${i + 1} has a bad "${field}"`);
    const optionalNumber = (field: string): number | undefined => {
      const v = r[field];
      if (v === null || v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(field);
      return v as number;
    };
    const text = (field: string, max: number): string => {
      const v = r[field];
      if (typeof v !== 'string' || v.length > max) bad(field);
      return v as string;
    };
    if (!isValidRelativePath(r.path)) bad('path');
    if (typeof r.kind !== 'string' || !KINDS.has(r.kind)) bad('kind');
    if (typeof r.entry !== 'string' || !ENTRIES.has(r.entry)) bad('entry');
    if (typeof r.createdMs !== 'number' || !Number.isFinite(r.createdMs)) bad('createdMs');
    if (r.localVersion !== null && !isVersionVector(r.localVersion)) bad('localVersion');
    if (!isVersionVector(r.remoteVersion)) bad('remoteVersion');
    if (r.decision !== null && r.decision !== undefined && !(ASK_DECISIONS as readonly unknown[]).includes(r.decision)) bad('decision');
    return {
      path: r.path as string,
      kind: r.kind as AskItem['kind'],
      entry: r.entry as AskItem['entry'],
      localSize: optionalNumber('localSize'),
      remoteSize: optionalNumber('remoteSize'),
      localMtimeMs: optionalNumber('localMtimeMs'),
      remoteMtimeMs: optionalNumber('remoteMtimeMs'),
      peer: text('peer', 256),
      folder: text('folder', 256),
      reason: text('reason', 64 * 1024),
      createdMs: r.createdMs as number,
      localVersion: r.localVersion === null ? null : { ...(r.localVersion as VersionVector) },
      remoteVersion: { ...(r.remoteVersion as VersionVector) },
      ...(r.decision ? { decision: r.decision as AskDecision } : {}),
    };
  });
}
