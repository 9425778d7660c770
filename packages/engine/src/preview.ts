import { comparePaths, plan, type FileRecord, type PlanOverride } from '@syncline/core';
import type { SessionReplica } from './replica-port.js';

export type PreviewCell = '=' | 'create' | 'update' | 'delete' | 'metadata' | 'keep' | '-';

export interface PreviewRow {
  readonly path: string;
  readonly kind: FileRecord['kind'];
  /** What each replica will do about the path, in the order the replicas were given. */
  readonly cells: PreviewCell[];
  /** Set when replicas changed the path concurrently: the conflict copy that will be made. */
  readonly conflictCopy?: string;
  readonly reason: string;
}

/**
 * What a sync of these replicas would do, per path, without doing it: the records are
 * merged with the same `plan` rules a sync uses, then each replica is compared with the result.
 * Tree repairs that a real sync may add (keeping a directory with new contents) are not shown.
 */
export async function previewLocal(replicas: readonly SessionReplica[], options: { override?: PlanOverride } = {}): Promise<PreviewRow[]> {
  const byPath = new Map<string, (FileRecord | undefined)[]>();
  for (let i = 0; i < replicas.length; i++) {
    for await (const e of replicas[i]!.store.entries()) {
      let row = byPath.get(e.record.path);
      if (!row) byPath.set(e.record.path, (row = new Array(replicas.length).fill(undefined)));
      row[i] = e.record;
    }
  }
  const rows: PreviewRow[] = [];
  for (const path of [...byPath.keys()].sort(comparePaths)) {
    const records = byPath.get(path)!;
    let merged: FileRecord | undefined;
    let conflictCopy: string | undefined;
    let reason = 'in-sync';
    for (const r of records) {
      if (!r) continue;
      if (!merged) {
        merged = r;
        continue;
      }
      const a = plan(merged, r, options);
      if (a.type === 'none') continue;
      merged = a.record;
      if (a.type === 'conflict') conflictCopy = a.copy.path;
      if (a.reason !== 'remote-newer') reason = a.reason;
    }
    if (!merged) continue;
    const final = merged;
    const cells = records.map((r): PreviewCell => cellFor(r, final, options));
    if (cells.every((c) => c === '=' || c === '-') && !conflictCopy) continue;
    if (reason === 'in-sync') reason = 'newer version';
    rows.push({ path, kind: final.kind, cells, reason, ...(conflictCopy ? { conflictCopy } : {}) });
  }
  return rows;
}

function cellFor(r: FileRecord | undefined, final: FileRecord, options: { override?: PlanOverride }): PreviewCell {
  if (!r) return final.deleted ? '-' : 'create';
  const a = plan(r, final, options);
  if (a.type === 'none') return r.deleted ? '-' : '=';
  if (a.type === 'join') return 'keep';
  const target = a.record;
  if (target.deleted) return r.deleted ? '-' : 'delete';
  if (r.deleted || r.kind !== target.kind) return 'create';
  if (target.kind === 'file' && r.hash === target.hash) return r.mode === target.mode ? '=' : 'metadata';
  if (target.kind === 'dir') return '=';
  return 'update';
}
