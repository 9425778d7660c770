import {
  ancestorPaths,
  bumpVector,
  comparePaths,
  conflictCopyPath,
  joinVectors,
  plan,
  sameContent,
  type FileRecord,
  type PathAction,
  type PlanOverride,
} from '@syncline/core';
import type { TargetState } from '@syncline/replica';
import type { IndexEntry } from '@syncline/store';
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
 */
export async function planSession(
  replica: SessionReplica,
  remote: readonly FileRecord[],
  options: { override?: PlanOverride } = {},
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
  const targets = new Map<string, Target>();
  const copies: FileRecord[] = [];
  for (const r of considered) {
    const action = plan(local.get(r.path)?.record, r, options);
    actions.push(action);
    if (action.type === 'none') continue;
    targets.set(r.path, { record: action.record, expect: local.get(r.path) });
    if (action.type === 'conflict') copies.push(action.copy);
  }

  let nonMirrored = false;
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
  return { actions, targets: ordered, nonMirrored, ignored };
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
