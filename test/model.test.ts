/**
 * Randomized model test in the spirit of Dropbox's CanopyCheck: three replicas on disk,
 * random file operations interleaved with pairwise and n-way syncs, some cut short before
 * their seal; then a final sync and DESIGN.md §9's invariants:
 *  1. nothing lost: every version the user did not destroy (on every copy) survives at a
 *     path, as a conflict copy, or in a trash;
 *  2. convergence: all replicas identical;
 *  3. atomicity: every file holds one complete written version.
 * Replay a failure: SYNCLINE_SEED=<seed> [SYNCLINE_PATH=<path>] npx mocha test/model.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { DiskReplica } from '@syncline/replica';
import { syncLocal, syncPair, type SessionStage } from '@syncline/engine';
import { tempDir } from './helpers/tmp.js';

const REPLICAS = 3;
const PATHS = ['a', 'b.txt', 'd/x', 'd/y', 'd/e/z', 'e', 'e/w'];
const STAGES: SessionStage[] = ['exchanged', 'prepared', 'applied', 'before-seal'];
const runs = Number(process.env.SYNCLINE_MODEL_RUNS ?? 300);
const seed = Number(process.env.SYNCLINE_SEED ?? Date.now() % 2 ** 31);
const replayPath = process.env.SYNCLINE_PATH;

type Op =
  | { k: 'write'; r: number; p: string; big: boolean }
  | { k: 'same'; rs: [number, number]; p: string }
  | { k: 'delete'; r: number; p: string }
  | { k: 'rename'; r: number; p: string; q: string }
  | { k: 'mkdir'; r: number; p: string }
  | { k: 'sync'; i: number; j: number }
  | { k: 'syncAll' }
  | { k: 'cut'; i: number; j: number; side: 0 | 1; stage: SessionStage };

const replica = fc.integer({ min: 0, max: REPLICAS - 1 });
const pathArb = fc.constantFrom(...PATHS);
const pair = fc.tuple(replica, replica).filter(([i, j]) => i !== j);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('write' as const), r: replica, p: pathArb, big: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('same' as const), rs: pair, p: pathArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('delete' as const), r: replica, p: pathArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rename' as const), r: replica, p: pathArb, q: pathArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('mkdir' as const), r: replica, p: pathArb }) },
  { weight: 3, arbitrary: pair.map(([i, j]) => ({ k: 'sync' as const, i, j })) },
  { weight: 1, arbitrary: fc.constant({ k: 'syncAll' as const }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cut' as const), i: replica, j: replica, side: fc.constantFrom(0 as const, 1 as const), stage: fc.constantFrom(...STAGES) }).filter((o) => o.i !== o.j) },
);

/** The exact bytes of version `id`; big versions span several content-defined chunks. */
function content(id: string, big: boolean): string {
  if (!big) return `${id}\n`;
  let s = `${id}\n`;
  let x = 0;
  for (const ch of id) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  const parts: string[] = [];
  for (let i = 0; i < 9000; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    parts.push(x.toString(36).padStart(7, '0').slice(0, 7));
  }
  return s + parts.join('') + '\n';
}

interface World {
  /** Records per session batch: tiny batches exercise sessions of many rounds. */
  batchSize: number;
  roots: string[];
  replicas: DiskReplica[];
  written: Map<string, string>; // id → exact content
  exempt: Set<string>; // versions the user destroyed everywhere
  counter: number;
}

async function filesUnder(root: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const dir = path.join(root, rel);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    const st = await lstat(path.join(root, r));
    if (st.isDirectory()) for (const [k, v] of await filesUnder(root, r)) out.set(k, v);
    else if (st.isFile()) out.set(r, await readFile(path.join(root, r), 'utf8'));
  }
  return out;
}

const versionOf = (text: string) => text.slice(0, text.indexOf('\n'));

/** Every version id held anywhere: live files (metadata excluded) and trash, optionally skipping one subtree. */
async function versionsEverywhere(w: World, skip?: { r: number; p: string }): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < w.roots.length; i++) {
    for (const [p, text] of await filesUnder(w.roots[i]!)) {
      if (p.startsWith('.syncline/') && !p.startsWith('.syncline/trash/')) continue;
      if (skip && skip.r === i && (p === skip.p || p.startsWith(skip.p + '/'))) continue;
      ids.add(versionOf(text));
    }
  }
  return ids;
}

/** Before the user destroys what is at p on replica r: a version held nowhere else is the user's to lose. */
async function userDestroys(w: World, r: number, p: string): Promise<void> {
  const target = path.join(w.roots[r]!, p);
  const st = await lstat(target).catch(() => null);
  if (!st) return;
  const here = st.isDirectory() ? [...(await filesUnder(target)).values()] : st.isFile() ? [await readFile(target, 'utf8')] : [];
  if (here.length > 0) {
    const elsewhere = await versionsEverywhere(w, { r, p });
    for (const text of here) if (!elsewhere.has(versionOf(text))) w.exempt.add(versionOf(text));
  }
  await rm(target, { recursive: true, force: true });
}

/** Makes p's parent a directory on replica r, replacing a file ancestor if needed. */
async function ensureParentDir(w: World, r: number, p: string): Promise<void> {
  const parts = p.split('/');
  for (let i = 1; i < parts.length; i++) {
    const a = parts.slice(0, i).join('/');
    const st = await lstat(path.join(w.roots[r]!, a)).catch(() => null);
    if (st && !st.isDirectory()) await userDestroys(w, r, a);
    if (!st || !st.isDirectory()) await mkdir(path.join(w.roots[r]!, a));
  }
}

async function writeVersion(w: World, r: number, p: string, id: string, big: boolean): Promise<void> {
  await ensureParentDir(w, r, p);
  const text = content(id, big);
  w.written.set(id, text);
  await userDestroys(w, r, p);
  await writeFile(path.join(w.roots[r]!, p), text);
}

async function scanAll(w: World, which: number[]): Promise<void> {
  for (const i of which) await w.replicas[i]!.scan();
}

async function applyOp(w: World, op: Op): Promise<void> {
  switch (op.k) {
    case 'write':
      return writeVersion(w, op.r, op.p, `v${++w.counter}`, op.big);
    case 'same': {
      const id = `v${++w.counter}`;
      for (const r of op.rs) await writeVersion(w, r, op.p, id, false);
      return;
    }
    case 'delete':
      return userDestroys(w, op.r, op.p);
    case 'rename': {
      const root = w.roots[op.r]!;
      if (op.p === op.q || op.q.startsWith(op.p + '/') || !existsSync(path.join(root, op.p)) || existsSync(path.join(root, op.q))) return;
      await ensureParentDir(w, op.r, op.q);
      if (!existsSync(path.join(root, op.p))) return;
      await rename(path.join(root, op.p), path.join(root, op.q));
      return;
    }
    case 'mkdir': {
      const st = await lstat(path.join(w.roots[op.r]!, op.p)).catch(() => null);
      if (st?.isDirectory()) return;
      await ensureParentDir(w, op.r, op.p);
      await userDestroys(w, op.r, op.p);
      await mkdir(path.join(w.roots[op.r]!, op.p));
      return writeVersion(w, op.r, `${op.p}/inner`, `v${++w.counter}`, false);
    }
    case 'sync':
      await scanAll(w, [op.i, op.j]);
      await syncPair(w.replicas[op.i]!, w.replicas[op.j]!, { batchSize: w.batchSize });
      return;
    case 'syncAll':
      await scanAll(w, [0, 1, 2]);
      await syncLocal(w.replicas, { batchSize: w.batchSize });
      return;
    case 'cut':
      await scanAll(w, [op.i, op.j]);
      await syncPair(w.replicas[op.i]!, w.replicas[op.j]!, {
        batchSize: w.batchSize,
        failpoint: (side, stage) => {
          if (side === op.side && stage === op.stage) throw new Error(`cut at ${stage}`);
        },
      }).then(
        () => assert.fail('the session should have been cut'),
        (err: Error) => assert.match(err.message, /cut at|aborted|closed/),
      );
      return;
  }
}

async function treeOf(root: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of (await readdir(path.join(root, rel))).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    if (r === '.syncline') continue;
    const st = await lstat(path.join(root, r));
    if (st.isDirectory()) {
      out.set(r, 'dir');
      for (const [k, v] of await treeOf(root, r)) out.set(k, v);
    } else if (st.isSymbolicLink()) out.set(r, `link:${await readlink(path.join(root, r))}`);
    else out.set(r, `file:${(await readFile(path.join(root, r), 'utf8')).length}:${versionOf(await readFile(path.join(root, r), 'utf8'))}:${st.mode & 0o111}`);
  }
  return out;
}

async function checkInvariants(w: World): Promise<void> {
  await scanAll(w, [0, 1, 2]);
  const report = await syncLocal(w.replicas, { maxRounds: 10, batchSize: w.batchSize });
  assert.deepEqual(report.problems, [], 'the final sync reports no problems');
  assert.equal(report.converged, true, 'the final sync converges');
  // 2. convergence
  const trees = await Promise.all(w.roots.map((r) => treeOf(r)));
  for (let i = 1; i < trees.length; i++) assert.deepEqual(Object.fromEntries(trees[i]!), Object.fromEntries(trees[0]!), `replica ${i} differs from replica 0`);
  // 3. atomicity: every file is one complete version
  for (const root of w.roots) {
    for (const [p, text] of await filesUnder(root)) {
      if (p.startsWith('.syncline/')) continue;
      assert.equal(text, w.written.get(versionOf(text)), `${root}/${p} holds a partial or unknown version`);
    }
  }
  // 1. no data loss
  const everywhere = await versionsEverywhere(w);
  for (const id of w.written.keys()) {
    if (!w.exempt.has(id)) assert.ok(everywhere.has(id), `version ${id} was lost`);
  }
  // stability: a further sync changes nothing
  await scanAll(w, [0, 1, 2]);
  const again = await syncLocal(w.replicas, { batchSize: w.batchSize });
  assert.equal(again.filesChanged, 0, 'a sync after convergence changes nothing');
}

describe('model test: random operations and syncs on three replicas', function () {
  this.timeout(0);
  it(`keeps invariants 1–3 over ${runs} runs`, async () => {
    console.log(`    model seed ${seed} (replay: SYNCLINE_SEED=${seed} npx mocha test/model.test.ts)`);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: Number(process.env.SYNCLINE_MODEL_OPS ?? 24) }), fc.constantFrom(1, 2, 3, 1000), async (ops, batchSize) => {
        const { dir, cleanup } = await tempDir('syncline-model-');
        const roots = Array.from({ length: REPLICAS }, (_, i) => path.join(dir, `r${i}`));
        for (const r of roots) await mkdir(r);
        const replicas: DiskReplica[] = [];
        try {
          for (const r of roots) replicas.push(await DiskReplica.open(r, { fsync: false }));
          const w: World = { batchSize, roots, replicas, written: new Map(), exempt: new Set(), counter: 0 };
          for (const op of ops) await applyOp(w, op);
          await checkInvariants(w);
        } finally {
          await Promise.allSettled(replicas.map((r) => r.close()));
          await cleanup();
        }
      }),
      { seed, numRuns: runs, ...(replayPath ? { path: replayPath } : {}), endOnFailure: false },
    );
  });
});
