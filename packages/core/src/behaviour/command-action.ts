import { conflictCopyPath } from '../conflict-name.js';
import { compareHlc, hlcTick, type Hlc } from '../hlc.js';
import { newerVersion, plan, type PathAction } from '../plan.js';
import { sameContent, type FileRecord } from '../record.js';
import { bumpVector, joinVectors } from '../vector.js';
import type { Command, DeferringCommand } from './model.js';

/** A PathAction before the behaviour's reason and decision are attached. */
export type ActionShape = WithoutReason<PathAction>;
type WithoutReason<A> = A extends PathAction ? Omit<A, 'reason'> : never;

export type ApplyingCommand = Exclude<Command, DeferringCommand>;

/** What minting a new version needs: who mints, and the wall clock for its HLC. */
export interface MintContext {
  readonly localReplicaId: string;
  readonly nowMs: () => number;
}

/** Which content ends up at the path; `copy` is the record placed beside it as a conflict copy. */
interface Outcome {
  readonly keep: 'local' | 'remote' | 'tombstone';
  readonly copy?: FileRecord;
}

/**
 * The local action that carries out `command` for one path.
 *
 * Convergence rule: when the command leaves the same content at the path as the
 * default plan would, the default's record (and vector) is used, so a peer that plans
 * by default computes the identical record. When it leaves different content (local
 * wins against a dominating or concurrent remote, a local edit is reverted, an edit
 * is deleted), a new version is minted: the content with vector
 * bump(join(local, remote), localReplicaId), a fresh HLC and seq 0. It dominates both
 * records, so the peer takes it; no two replicas ever hold one vector with two contents.
 *
 * - import: the remote's state (content or deletion) at the path.
 * - export: the local state; with no live local entry, that state is "deleted".
 * - delete: a tombstone.
 * - rename_both: both live and different → the one the default would keep holds the
 *   path (a directory over a file, else the newer version) and the other becomes a
 *   conflict copy; otherwise whichever side is live is kept.
 */
export function commandAction(
  command: ApplyingCommand,
  local: FileRecord | undefined,
  remote: FileRecord,
  context: MintContext,
): ActionShape {
  const outcome = desiredOutcome(command, local, remote);
  const content = contentAtPath(outcome.keep, local, remote);
  const fallback = plan(local, remote);
  const fallbackRecord = fallback.type === 'none' ? local : fallback.record;
  const path = remote.path;
  const keep = outcome.keep === 'local' ? 'local' : 'remote';

  if (fallbackRecord && sameContent(content, fallbackRecord)) {
    const shape = withoutReason(fallback);
    if (outcome.copy) {
      if (shape.type === 'conflict') return shape;
      return { type: 'conflict', path, keep, record: fallbackRecord, copy: conflictCopy(outcome.copy) };
    }
    if (shape.type === 'conflict') {
      return { type: shape.keep === 'local' ? 'join' : 'take', path, record: shape.record };
    }
    return shape;
  }

  const record = mint(content, local, remote, context);
  if (outcome.copy) return { type: 'conflict', path, keep, record, copy: conflictCopy(outcome.copy) };
  if (outcome.keep === 'local') return { type: 'join', path, record };
  if (outcome.keep === 'tombstone' && local?.deleted) return { type: 'join', path, record };
  return { type: 'take', path, record };
}

function withoutReason(action: PathAction): ActionShape {
  const { reason: _reason, ...shape } = action;
  return shape as ActionShape;
}

function isLive(record: FileRecord | undefined): record is FileRecord {
  return record !== undefined && !record.deleted;
}

function desiredOutcome(command: ApplyingCommand, local: FileRecord | undefined, remote: FileRecord): Outcome {
  switch (command) {
    case 'import':
      return { keep: isLive(remote) ? 'remote' : 'tombstone' };
    case 'export':
      return { keep: isLive(local) ? 'local' : 'tombstone' };
    case 'delete':
      return { keep: 'tombstone' };
    case 'rename_both':
      return keepBoth(local, remote);
  }
}

function keepBoth(local: FileRecord | undefined, remote: FileRecord): Outcome {
  if (isLive(local) && isLive(remote) && !sameContent(local, remote)) {
    const winner = keepBothWinner(local, remote);
    return winner === local ? { keep: 'local', copy: remote } : { keep: 'remote', copy: local };
  }
  if (isLive(local)) return { keep: 'local' };
  if (isLive(remote)) return { keep: 'remote' };
  return { keep: 'tombstone' };
}

/** The same choice the default plan makes for a conflict: a directory over a file, else the newer version. */
function keepBothWinner(local: FileRecord, remote: FileRecord): FileRecord {
  if ((local.kind === 'dir') !== (remote.kind === 'dir')) return local.kind === 'dir' ? local : remote;
  return newerVersion(local, remote);
}

function contentAtPath(keep: Outcome['keep'], local: FileRecord | undefined, remote: FileRecord): FileRecord {
  if (keep === 'local' && local) return local;
  if (keep === 'remote') return remote;
  if (local?.deleted) return local;
  if (remote.deleted) return remote;
  return tombstoneOf(local ?? remote);
}

function tombstoneOf(record: FileRecord): FileRecord {
  return { ...record, deleted: true, size: 0, hash: '', chunks: [], target: '' };
}

function conflictCopy(loser: FileRecord): FileRecord {
  return { ...loser, path: conflictCopyPath(loser.path, loser.hlc.t, loser.by), seq: 0 };
}

function mint(content: FileRecord, local: FileRecord | undefined, remote: FileRecord, context: MintContext): FileRecord {
  const version = bumpVector(joinVectors(local?.version ?? {}, remote.version), context.localReplicaId);
  const seen: Hlc = local && compareHlc(local.hlc, remote.hlc) > 0 ? local.hlc : remote.hlc;
  return {
    ...content,
    path: remote.path,
    version,
    hlc: hlcTick(seen, context.nowMs()),
    seq: 0,
    by: context.localReplicaId,
  };
}
