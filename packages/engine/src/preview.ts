import {
  comparePaths,
  plan,
  sameContent,
  vectorsEqual,
  type AttachmentScope,
  type Command,
  type DeferringCommand,
  type FileRecord,
  type PlanOverride,
} from '@syncline/core';
import { describeDecision, storedPolicy, type PathDecider } from './behaviours-policy.js';
import { LOCAL_FOLDER_ID } from './local-sync.js';
import type { SessionReplica } from './replica-port.js';

export type PreviewCell = '=' | 'create' | 'update' | 'delete' | 'metadata' | 'keep' | 'ask' | 'ignore' | '-';

/** A behaviour (or the user's recorded decision) that decided what one replica does about a path. */
export interface PreviewDecision {
  /** Index of the deciding replica, in the order the replicas were given. */
  readonly replica: number;
  readonly behaviour: string;
  readonly command: Command;
  /** The deciding rule in canonical form. */
  readonly rule: string;
  readonly scope: AttachmentScope;
  /** `remote_is_master rule 1: import if different and remote_added/modified (folder attachment)` */
  readonly why: string;
}

export interface PreviewRow {
  readonly path: string;
  readonly kind: FileRecord['kind'];
  /** What each replica will do about the path, in the order the replicas were given. */
  readonly cells: PreviewCell[];
  /** Set when replicas changed the path concurrently: the conflict copy that will be made. */
  readonly conflictCopy?: string;
  /** The default rule's reason, or the deciding behaviours (`#2 remote_is_master rule 1: …`). */
  readonly reason: string;
  /** Present when behaviours decided (or held back) the path on some replica. */
  readonly decisions?: PreviewDecision[];
}

export interface PreviewOptions {
  readonly override?: PlanOverride;
  /** Each replica's behaviours for a peer; default: what each replica's store holds (only read). */
  readonly deciderFor?: (replica: number, peerReplicaId: string) => PathDecider | undefined | Promise<PathDecider | undefined>;
  /** The folder ID the sessions would use (behaviours attached to a folder match it). */
  readonly folder?: string;
}

const MAX_ROUNDS = 8;

interface SimReplica {
  readonly id: string;
  readonly initial: Map<string, FileRecord>;
  readonly records: Map<string, FileRecord>;
  lastSeq: number;
}

interface PathNotes {
  reason?: string;
  conflictCopy?: string;
  decisions: PreviewDecision[];
  deferred: Map<number, DeferringCommand>;
  kept: Set<number>;
}

/**
 * What a sync of these replicas would do, per path, without doing it. The sessions of
 * `syncLocal` are played out in memory, round after round, on the replicas' records: each
 * side sends what changed since the last sync object the pair shares, and plans the other's
 * records with its own behaviours, then the default rules. Each replica's final records are
 * then compared with what it holds now. Tree repairs that a real sync may add (keeping a
 * directory with new contents) are not shown; nothing is written, and no path is queued.
 */
export async function previewLocal(replicas: readonly SessionReplica[], options: PreviewOptions = {}): Promise<PreviewRow[]> {
  const sims = await Promise.all(replicas.map(loadSim));
  const since = new Map<string, number>();
  const deciders = new Map<string, PathDecider | undefined>();
  const folder = options.folder ?? LOCAL_FOLDER_ID;
  for (let j = 1; j < replicas.length; j++) {
    const [a, b] = [replicas[0]!, replicas[j]!];
    const shared = new Set((await b.store.syncObjects(a.id)).map((o) => o.id));
    const common = (await a.store.syncObjects(b.id)).find((o) => shared.has(o.id));
    since.set(`0>${j}`, common?.seqs[a.id] ?? 0);
    since.set(`${j}>0`, common?.seqs[b.id] ?? 0);
    for (const [i, k] of [[0, j], [j, 0]] as const) {
      const peer = replicas[k]!.id;
      const decider = options.deciderFor
        ? await options.deciderFor(i, peer)
        : (await storedPolicy(replicas[i]!, { peer, folder }))?.decide;
      deciders.set(`${i}>${k}`, decider);
    }
  }

  const notes = new Map<string, PathNotes>();
  const noteFor = (path: string): PathNotes => {
    let n = notes.get(path);
    if (!n) notes.set(path, (n = { decisions: [], deferred: new Map(), kept: new Set() }));
    return n;
  };
  const madeCopies = new Set<string>();

  /** Side i plans the records peer k sends; returns what i would write. */
  const planSide = (i: number, k: number, remote: readonly FileRecord[]): FileRecord[] => {
    const sim = sims[i]!;
    const decide = deciders.get(`${i}>${k}`);
    const writes: FileRecord[] = [];
    for (const r of remote) {
      const local = sim.records.get(r.path);
      const decided = decide?.(local, r);
      if (decided && 'decidedBy' in decided) {
        const n = noteFor(r.path);
        const d = decided.decidedBy;
        if (!n.decisions.some((x) => x.replica === i)) {
          n.decisions.push({ replica: i, behaviour: d.behaviour, command: d.command, rule: d.ruleText, scope: d.scope, why: describeDecision(d) });
        }
      }
      if (decided?.type === 'defer') {
        noteFor(r.path).deferred.set(i, decided.command);
        continue;
      }
      const action = decided ?? plan(local, r, { override: options.override });
      if (action.type === 'none') continue;
      const n = noteFor(r.path);
      if (action.reason !== 'remote-newer') n.reason = action.reason;
      writes.push(action.record);
      if (action.type === 'join' || (action.type === 'conflict' && action.keep === 'local')) n.kept.add(i);
      if (action.type === 'conflict') {
        n.conflictCopy = action.copy.path;
        const there = sim.records.get(action.copy.path);
        if (!there || there.deleted || !sameContent(there, action.copy)) {
          writes.push(action.copy);
          if (!sims.some((s) => s.initial.has(action.copy.path))) madeCopies.add(action.copy.path);
        }
      }
    }
    return writes;
  };

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    let changed = false;
    for (let j = 1; j < sims.length; j++) {
      const [a, b] = [sims[0]!, sims[j]!];
      const fromA = changesSince(a, since.get(`0>${j}`)!);
      const fromB = changesSince(b, since.get(`${j}>0`)!);
      const [sentA, sentB] = [a.lastSeq, b.lastSeq];
      const writesA = planSide(0, j, fromB);
      const writesB = planSide(j, 0, fromA);
      changed = write(a, writesA) || changed;
      changed = write(b, writesB) || changed;
      // What either side wrote is offered again next round (in sync if nothing changed).
      since.set(`0>${j}`, sentA);
      since.set(`${j}>0`, sentB);
    }
    if (!changed) break;
  }

  const paths = new Set<string>();
  for (const s of sims) for (const p of s.records.keys()) paths.add(p);
  const rows: PreviewRow[] = [];
  for (const path of [...paths].sort(comparePaths)) {
    if (madeCopies.has(path)) continue;
    const n = notes.get(path);
    const cells = sims.map((s, i) => cellFor(s.initial.get(path), s.records.get(path), n?.deferred.get(i), !!n?.conflictCopy && !!n.kept.has(i)));
    if (cells.every((c) => c === '=' || c === '-') && !n?.conflictCopy) continue;
    const finals = sims.map((s) => s.records.get(path)).filter((r): r is FileRecord => r !== undefined);
    const kind = (finals.find((r) => !r.deleted) ?? finals[0]!).kind;
    const decisions = n?.decisions.sort((x, y) => x.replica - y.replica) ?? [];
    const reason = decisions.length > 0 ? decisions.map((d) => `#${d.replica + 1} ${d.why}`).join('; ') : (n?.reason ?? 'newer version');
    rows.push({
      path,
      kind,
      cells,
      reason: reason === 'in-sync' ? 'newer version' : reason,
      ...(n?.conflictCopy ? { conflictCopy: n.conflictCopy } : {}),
      ...(decisions.length > 0 ? { decisions } : {}),
    });
  }
  return rows;
}

async function loadSim(replica: SessionReplica): Promise<SimReplica> {
  const initial = new Map<string, FileRecord>();
  for await (const e of replica.store.entries()) initial.set(e.record.path, e.record);
  return { id: replica.id, initial, records: new Map(initial), lastSeq: replica.store.lastSeq() };
}

function changesSince(sim: SimReplica, since: number): FileRecord[] {
  return [...sim.records.values()].filter((r) => r.seq > since);
}

function sameRecord(a: FileRecord, b: FileRecord): boolean {
  return a.deleted === b.deleted && sameContent(a, b) && a.mode === b.mode && vectorsEqual(a.version, b.version);
}

/** Applies writes as new local changes; true when anything changed. */
function write(sim: SimReplica, records: readonly FileRecord[]): boolean {
  let changed = false;
  for (const r of records) {
    const before = sim.records.get(r.path);
    if (before && sameRecord(before, r)) continue;
    sim.records.set(r.path, { ...r, seq: ++sim.lastSeq });
    changed = true;
  }
  return changed;
}

function cellFor(initial: FileRecord | undefined, final: FileRecord | undefined, deferred: DeferringCommand | undefined, kept: boolean): PreviewCell {
  const was = initial && !initial.deleted ? initial : undefined;
  const now = final && !final.deleted ? final : undefined;
  if (deferred && was === now) return deferred === 'ask' ? 'ask' : 'ignore';
  if (!now) return was ? 'delete' : '-';
  if (!was || was.kind !== now.kind) return 'create';
  if (was.kind === 'dir') return '=';
  if (sameContent(was, now)) {
    if (was.kind === 'file' && was.mode !== now.mode) return 'metadata';
    return kept ? 'keep' : '=';
  }
  return 'update';
}
