import { comparePaths } from '../paths.js';
import type { EntryKind, FileRecord } from '../record.js';
import type { DeferAction } from './override.js';
import type { Situation } from './model.js';

/** What needs a decision: both sides changed (conflict), or the one side's change. */
export type AskKind = 'conflict' | 'added' | 'modified' | 'deleted';

/** One path parked by an `ask` rule until the user decides (CLI or dashboard). */
export interface AskItem {
  readonly path: string;
  readonly kind: AskKind;
  readonly entry: EntryKind;
  /** Undefined when that side has no live entry (absent or deleted). */
  readonly localSize: number | undefined;
  readonly remoteSize: number | undefined;
  readonly localMtimeMs: number | undefined;
  readonly remoteMtimeMs: number | undefined;
  readonly peer: string;
  readonly folder: string;
  /** Which behaviour and rule asked, e.g. `photos_rules rule 2: ask if remote_size_bigger (directory attachment)`. */
  readonly reason: string;
  readonly createdMs: number;
}

export function askKind(situation: Situation): AskKind {
  const localChanged = situation.local !== 'unchanged';
  const remoteChanged = situation.remote !== 'unchanged';
  if (localChanged && remoteChanged) return 'conflict';
  const change = remoteChanged ? situation.remote : situation.local;
  return change === 'unchanged' ? 'modified' : change;
}

function live(record: FileRecord | undefined): FileRecord | undefined {
  return record && !record.deleted ? record : undefined;
}

/** The queue entry for a deferred `ask` action; `createdMs` is passed in (core reads no clock). */
export function createAskItem(action: DeferAction, peer: string, folder: string, createdMs: number): AskItem {
  const { decidedBy } = action;
  const local = live(action.local);
  const remote = live(action.remote);
  return {
    path: action.path,
    kind: askKind(action.situation),
    entry: (remote ?? local ?? action.remote).kind,
    localSize: local?.size,
    remoteSize: remote?.size,
    localMtimeMs: local?.mtimeMs,
    remoteMtimeMs: remote?.mtimeMs,
    peer,
    folder,
    reason: `${decidedBy.behaviour} rule ${decidedBy.ruleIndex + 1}: ${decidedBy.ruleText} (${decidedBy.scope} attachment)`,
    createdMs,
  };
}

export const ASK_SORT_KEYS = ['path', 'size', 'time', 'kind', 'peer', 'created'] as const;
export type AskSortKey = (typeof ASK_SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

const KIND_ORDER: Record<AskKind, number> = { conflict: 0, added: 1, modified: 2, deleted: 3 };

/** size: the larger of the two sides (what is at stake); time: the later of the two mtimes. */
const SORT_VALUE: Record<Exclude<AskSortKey, 'path' | 'peer'>, (item: AskItem) => number> = {
  size: (item) => Math.max(item.localSize ?? 0, item.remoteSize ?? 0),
  time: (item) => Math.max(item.localMtimeMs ?? -Infinity, item.remoteMtimeMs ?? -Infinity),
  kind: (item) => KIND_ORDER[item.kind],
  created: (item) => item.createdMs,
};

function compareBy(key: AskSortKey, a: AskItem, b: AskItem): number {
  if (key === 'path') return comparePaths(a.path, b.path);
  if (key === 'peer') return a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0;
  return SORT_VALUE[key](a) - SORT_VALUE[key](b);
}

/**
 * A sorted copy. Ties keep a fixed order whatever the direction — path, then peer,
 * then folder — so the numbers shown for ranges are stable between listings.
 */
export function sortAskItems(items: readonly AskItem[], key: AskSortKey, direction: SortDirection = 'asc'): AskItem[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...items].sort(
    (a, b) =>
      sign * compareBy(key, a, b) ||
      comparePaths(a.path, b.path) ||
      compareBy('peer', a, b) ||
      (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0),
  );
}
