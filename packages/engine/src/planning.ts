import {
  ancestorPaths,
  bumpVector,
  comparePaths,
  conflictCopyPath,
  joinVectors,
  plan,
  sameContent,
  vectorsEqual,
  type DeferAction,
  type FileRecord,
  type PathAction,
  type PlanOverride,
} from '@syncline/core';
import type { TargetState } from '@syncline/replica';
import type { IndexEntry } from '@syncline/store';
import type { PathDecider } from './behaviours-policy.js';
import type { SessionReplica } from './replica-port.js';

export interface SessionPlan {
  /** One per remote change that was considered (not ignored), for reports and previews. */
  readonly actions: PathAction[];
  /** The state each touched path must reach on this replica. */
  readonly targets: TargetState[];
  /** True when some target is not what the other side computes for itself (tree repairs). */
  readonly nonMirrored: boolean;
  /** Remote paths this replica ignores. */
  readonly ignored: string[];
  /** Remote changes a behaviour deferred (ask, ignore, ignore_once): nothing is done about them here. */
  readonly deferred: DeferAction[];
}

interface Target {
  record: FileRecord;
  expect: IndexEntry | undefined;
}

/**
 * Plans how this replica takes in the other side's changes: `core.plan` per path, then a
 * repair pass that keeps the tree well-formed (every live path's ancestors are live
 * directories; a directory with live contents is never deleted or replaced by a file).
 * Repairs keep the displaced version as a conflict copy and are this side's own new changes.
 *
 * `decide` (this replica's behaviours and recorded decisions) goes first. An action it
 * returns that leaves another state than the default plan would makes the plan
 * non-mirrored: the other side, planning by default, computed the default's state, so what
 * this side writes must be offered to it again. Deferrals are collected, not planned.
 */
export async function planSession(
  replica: SessionReplica,
  remote: readonly FileRecord[],
  options: { override?: PlanOverride; decide?: PathDecider } = {},
): Promise<SessionPlan> {
  const latest = new Map<string, FileRecord>();
  for (const r of remote) latest.set(r.path, r);
  const ignored: string[] = [];
  const considered: FileRecord[] = [];
  for (const r of latest.values()) {
    replica.clock.observe(r.hlc);
    if (await replica.ignores(r.path, r.kind === 'dir')) ignored.push(r.path);
    else considered.push(r);
  }

  const local = new Map<string, IndexEntry | undefined>();
  const loadLocal = async (paths: string[]) => {
    const missing = [...new Set(paths.filter((p) => !local.has(p)))];
    if (missing.length === 0) return;
    const got = await replica.store.getMany(missing);
    missing.forEach((p, i) => local.set(p, got[i]));
  };
  await loadLocal(considered.map((r) => r.path));

  const actions: PathAction[] = [];
  const deferred: DeferAction[] = [];
  const targets = new Map<string, Target>();
  const copies: FileRecord[] = [];
  let nonMirrored = false;
  for (const r of considered) {
    const current = local.get(r.path)?.record;
    const decided = options.decide?.(current, r);
    const fallback = plan(current, r, { override: options.override });
    if (decided && !sameOutcome(decided, fallback, current)) {
      // A deferral that holds a path back re-offers it through the seal instead (session.ts);
      // only a permanent ignore leaves a state the other side must hear about.
      if (decided.type !== 'defer' || decided.command === 'ignore') nonMirrored = true;
    }
    if (decided?.type === 'defer') {
      deferred.push(decided);
      continue;
    }
    const action = decided ?? fallback;
    actions.push(action);
    if (action.type === 'none') continue;
    // Versions a behaviour mints carry a fresh HLC; later local changes must come after it.
    if (decided) replica.clock.observe(action.record.hlc);
    targets.set(r.path, { record: action.record, expect: local.get(r.path) });
    if (action.type === 'conflict') copies.push(action.copy);
  }

  await loadLocal(copies.map((c) => c.path));
  for (const copy of copies) {
    const existing = targets.get(copy.path)?.record ?? local.get(copy.path)?.record;
    if (existing && !existing.deleted && sameContent(existing, copy)) continue;
    let path = copy.path;
    if (existing && !existing.deleted) {
      nonMirrored = true;
      path = await freeCopyPath(copy.path, local, loadLocal, targets);
    }
    targets.set(path, { record: { ...copy, path }, expect: local.get(path) });
  }

  const keepsLiveContents = async (p: string): Promise<boolean> => {
    for await (const e of replica.store.entries({ under: p })) {
      if (e.record.path === p || e.record.deleted) continue;
      const fate = targets.get(e.record.path)?.record;
      if (!fate || !fate.deleted) return true;
    }
    return false;
  };
  const effective = (p: string): FileRecord | undefined => targets.get(p)?.record ?? local.get(p)?.record;
  const isLiveDir = (r: FileRecord | undefined) => !!r && !r.deleted && r.kind === 'dir';

  /** Keeps `p` a directory; a live non-directory version there is kept as a conflict copy. */
  const makeDir = async (p: string) => {
    nonMirrored = true;
    const current = effective(p);
    if (current && !current.deleted && current.kind !== 'dir') {
      const copyPath = await freeCopyPath(conflictCopyPath(p, current.hlc.t, current.by), local, loadLocal, targets);
      targets.set(copyPath, { record: { ...current, path: copyPath, seq: 0 }, expect: local.get(copyPath) });
    }
    const versions = [local.get(p)?.record?.version ?? {}, targets.get(p)?.record.version ?? {}];
    const version = bumpVector(joinVectors(versions[0]!, versions[1]!), replica.id);
    const dir: FileRecord = {
      path: p,
      kind: 'dir',
      deleted: false,
      size: 0,
      mtimeMs: 0,
      mode: 0o755,
      hash: '',
      chunks: [],
      target: '',
      version,
      seq: 0,
      hlc: replica.clock.tick(),
      by: replica.id,
    };
    targets.set(p, { record: dir, expect: local.get(p) });
  };

  // Repair until stable: every live target's ancestors are live directories, and a local
  // directory that the plan removes or replaces keeps its live local contents.
  for (let repaired = true; repaired; ) {
    repaired = false;
    const live = [...targets.values()].filter((t) => !t.record.deleted).map((t) => t.record.path);
    const ancestors = [...new Set(live.flatMap(ancestorPaths))].sort(comparePaths);
    await loadLocal(ancestors);
    for (const a of ancestors) {
      if (isLiveDir(effective(a))) continue;
      await makeDir(a);
      repaired = true;
    }
    for (const t of [...targets.values()].sort((x, y) => comparePaths(x.record.path, y.record.path))) {
      const p = t.record.path;
      if (isLiveDir(t.record) || !isLiveDir(local.get(p)?.record)) continue;
      if (await keepsLiveContents(p)) {
        await makeDir(p);
        repaired = true;
      }
    }
  }

  const ordered = [...targets.values()].sort((x, y) => comparePaths(x.record.path, y.record.path));
  return { actions, targets: ordered, nonMirrored, ignored, deferred };
}

/** What a path holds after an action (a deferral changes nothing), and the copy it makes. */
function outcomeOf(action: PathAction | DeferAction, local: FileRecord | undefined): { at: FileRecord | undefined; copy?: FileRecord } {
  if (action.type === 'defer' || action.type === 'none') return { at: local };
  if (action.type === 'conflict') return { at: action.record, copy: action.copy };
  return { at: action.record };
}

function sameState(a: FileRecord | undefined, b: FileRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return a.path === b.path && sameContent(a, b) && vectorsEqual(a.version, b.version) && (a.mode & 0o111) === (b.mode & 0o111);
}

/** True when the two actions leave the same records behind (the same record at the path, the same copy). */
function sameOutcome(a: PathAction | DeferAction, b: PathAction, local: FileRecord | undefined): boolean {
  const x = outcomeOf(a, local);
  const y = outcomeOf(b, local);
  return sameState(x.at, y.at) && sameState(x.copy, y.copy);
}

async function freeCopyPath(
  base: string,
  local: Map<string, IndexEntry | undefined>,
  loadLocal: (paths: string[]) => Promise<void>,
  targets: Map<string, Target>,
): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : base.replace(/(\.[^./]*)?$/, (ext) => `-${n}${ext}`);
    await loadLocal([candidate]);
    const r = local.get(candidate)?.record;
    if ((!r || r.deleted) && !targets.has(candidate)) return candidate;
  }
}
