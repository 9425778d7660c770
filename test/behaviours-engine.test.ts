/**
 * Behaviours in the engine, on real replicas: persistence and its schema checks, sessions
 * that consult each side's own behaviours, deferrals (ask, ignore, ignore_once) and the ask
 * queue, recorded decisions, previews, and a randomized check that replicas whose
 * behaviours agree still converge.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { BehaviourSyntaxError, UnknownBehaviourError } from '@syncline/core';
import {
  ASK_QUEUE_KEY,
  ATTACHMENTS_KEY,
  BehaviourInUseError,
  BuiltinBehaviourNameError,
  DEFINITIONS_KEY,
  NotAttachedError,
  StoredSettingError,
  attachBehaviour,
  decideAsks,
  defineBehaviour,
  detachBehaviour,
  loadAskQueue,
  loadBehaviours,
  parseConflictCopyPath,
  previewLocal,
  syncLocal,
  syncPair,
  undefineBehaviour,
} from '@syncline/engine';
import { makeReplicas, type ReplicaSet } from './helpers/replicas.js';

async function filesUnder(root: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(path.join(root, rel))).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === '.syncline') continue;
    const st = await lstat(path.join(root, r));
    if (st.isDirectory()) {
      out.set(`${r}/`, '');
      for (const [k, v] of await filesUnder(root, r)) out.set(k, v);
    } else out.set(r, await readFile(path.join(root, r), 'utf8'));
  }
  return out;
}

async function trashContents(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else out.push(await readFile(path.join(d, e.name), 'utf8'));
    }
  };
  await walk(path.join(root, '.syncline', 'trash'));
  return out;
}

describe('behaviour settings in the replica store', () => {
  let set: ReplicaSet;
  beforeEach(async () => {
    set = await makeReplicas(1);
  });
  afterEach(() => set.close());

  it('defines, attaches, detaches and undefines, one behaviour per place', async () => {
    const { store } = set.replicas[0]!;
    const def = await defineBehaviour(store, 'careful', 'ask if remote_size_smaller ;import');
    assert.deepEqual(def, { definition: { name: 'careful', rules: 'ask if remote_size_smaller; import' }, replaced: undefined });
    assert.equal((await defineBehaviour(store, 'careful', 'ask')).replaced?.rules, 'ask if remote_size_smaller; import');
    await attachBehaviour(store, { behaviour: 'careful', path: 'docs/' });
    const second = await attachBehaviour(store, { behaviour: 'mirror', path: 'docs' });
    assert.equal(second.replaced?.behaviour, 'careful', 'the same place: replaced');
    await attachBehaviour(store, { behaviour: 'careful', peer: 'abcdefghijklm', peerLabel: '/x/a' });
    assert.deepEqual(await loadBehaviours(store), {
      definitions: [{ name: 'careful', rules: 'ask' }],
      attachments: [
        { behaviour: 'mirror', path: 'docs' },
        { behaviour: 'careful', peer: 'abcdefghijklm', peerLabel: '/x/a' },
      ],
    });
    await assert.rejects(undefineBehaviour(store, 'careful'), BehaviourInUseError);
    await assert.rejects(detachBehaviour(store, { behaviour: 'careful', path: 'docs' }), NotAttachedError);
    assert.equal((await detachBehaviour(store, { peer: 'abcdefghijklm' })).behaviour, 'careful');
    assert.equal(await undefineBehaviour(store, 'careful'), true);
    assert.equal(await undefineBehaviour(store, 'careful'), false);
    await assert.rejects(defineBehaviour(store, 'mirror', 'import'), BuiltinBehaviourNameError);
    await assert.rejects(defineBehaviour(store, 'x', 'import if'), BehaviourSyntaxError);
    await assert.rejects(attachBehaviour(store, { behaviour: 'nope' }), UnknownBehaviourError);
  });

  it('schema-checks what it reads back', async () => {
    const { store } = set.replicas[0]!;
    const bad: [string, unknown][] = [
      [DEFINITIONS_KEY, { name: 'x' }],
      [DEFINITIONS_KEY, [{ name: 'x', rules: 'import if nonsense' }]],
      [DEFINITIONS_KEY, [{ name: 'x', rules: 'import' }, { name: 'x', rules: 'export' }]],
      [ATTACHMENTS_KEY, [{ behaviour: 'mirror', path: '../outside' }]],
      [ATTACHMENTS_KEY, [{ path: 'docs' }]],
      [ASK_QUEUE_KEY, [{ path: 'a', kind: 'maybe' }]],
    ];
    for (const [key, value] of bad) {
      await store.setMeta(key, value);
      await assert.rejects(key === ASK_QUEUE_KEY ? loadAskQueue(store) : loadBehaviours(store), StoredSettingError, JSON.stringify(value));
      await store.setMeta(key, undefined);
    }
  });

  it('takes conflict copy names apart', () => {
    assert.deepEqual(parseConflictCopyPath('d/notes.sync-conflict-20240102-030405-abcdefghijklm.txt'), { original: 'd/notes.txt', madeBy: 'abcdefghijklm' });
    assert.deepEqual(parseConflictCopyPath('a.tar.sync-conflict-20240102-030405-abcdefghijklm-2.gz'), { original: 'a.tar.gz', madeBy: 'abcdefghijklm' });
    assert.deepEqual(parseConflictCopyPath('README.sync-conflict-20240102-030405-abcdefghijklm'), { original: 'README', madeBy: 'abcdefghijklm' });
    assert.equal(parseConflictCopyPath('notes.txt'), undefined);
  });
});

describe('behaviours in sessions (real replicas)', function () {
  this.timeout(60_000);
  let set: ReplicaSet;
  const [A, B] = [0, 1];
  // Injected clocks: which edit is "newer" must not depend on two scans landing in one millisecond.
  let now = 1_000_000;
  beforeEach(async () => {
    set = await makeReplicas(2, [() => now, () => now]);
  });
  afterEach(() => set.close());
  const file = (r: number, p: string) => path.join(set.roots[r]!, p);
  const read = (r: number, p: string) => readFile(file(r, p), 'utf8').catch(() => null);
  const idOf = (r: number) => set.replicas[r]!.id;

  async function baseline(files: Record<string, string>): Promise<void> {
    for (const [p, c] of Object.entries(files)) await writeFile(file(A, p), c);
    await set.sync(A, B);
  }

  it("each side follows its own behaviours: B imports A's edit; A keeps B's concurrent edit as a conflict copy", async () => {
    await baseline({ 'n.txt': 'base\n' });
    await attachBehaviour(set.replicas[B]!.store, { behaviour: 'remote_is_master', peer: idOf(A) });
    await writeFile(file(A, 'n.txt'), 'A\n');
    await writeFile(file(B, 'n.txt'), 'B\n');
    now += 1000;
    await set.replicas[B]!.scan();
    now += 1000;
    await set.replicas[A]!.scan(); // A's edit is the newer one
    const report = await syncLocal(set.replicas);
    assert.equal(report.converged, true);
    for (const r of [A, B]) {
      const files = await filesUnder(set.roots[r]!);
      assert.equal(files.get('n.txt'), 'A\n');
      const copies = [...files.keys()].filter((p) => parseConflictCopyPath(p));
      assert.deepEqual(copies.map((p) => files.get(p)), ['B\n'], "B's edit survives as a copy");
    }
  });

  it('ask holds the change back: not sealed, offered again, queued with its versions; a recorded decision applies it', async () => {
    await baseline({ 'f.txt': 'v1\n', 'g.txt': 'g1\n' });
    const bStore = set.replicas[B]!.store;
    await defineBehaviour(bStore, 'careful', 'ask if remote_modified and remote_size_bigger');
    await attachBehaviour(bStore, { behaviour: 'careful' });
    await writeFile(file(A, 'f.txt'), 'v2 is longer\n');
    await writeFile(file(A, 'g.txt'), 'g\n');
    const [, rb] = await set.sync(A, B);
    assert.deepEqual(rb.deferred.map((d) => [d.path, d.command]), [['f.txt', 'ask']]);
    assert.equal(await read(B, 'f.txt'), 'v1\n');
    assert.equal(await read(B, 'g.txt'), 'g\n', 'other paths sync as usual');
    const [queued] = await loadAskQueue(bStore);
    assert.equal(queued?.path, 'f.txt');
    assert.equal(queued?.peer, idOf(A));
    assert.equal(queued?.kind, 'modified');
    assert.equal(queued?.reason, 'careful rule 1: ask if remote_modified and remote_size_bigger (everywhere attachment)');
    assert.deepEqual(queued?.remoteVersion, (await set.replicas[A]!.store.get('f.txt'))?.record.version);

    const [, again] = await set.sync(A, B);
    assert.ok(again.received >= 1, "A's change is offered again");
    assert.equal(again.deferred.length, 1);
    assert.equal((await loadAskQueue(bStore)).length, 1, 'one item per path and peer');

    assert.equal(await decideAsks(bStore, [{ peer: idOf(A), path: 'f.txt' }], 'import'), 1);
    const rows = await previewLocal(set.replicas);
    assert.deepEqual(rows.map((r) => [r.path, r.cells, r.reason]), [['f.txt', ['=', 'update'], '#2 your decision: import']]);
    const [, decided] = await set.sync(A, B);
    assert.equal(decided.deferred.length, 0);
    assert.equal(await read(B, 'f.txt'), 'v2 is longer\n');
    assert.deepEqual(await loadAskQueue(bStore), []);
    const [, quiet] = await set.sync(A, B);
    assert.equal(quiet.received, 0, 'sealed now');
  });

  it('a queued item whose path changed again is asked afresh, the old decision dropped', async () => {
    await baseline({ 'f.txt': 'v1\n' });
    const bStore = set.replicas[B]!.store;
    await defineBehaviour(bStore, 'careful', 'ask if remote_modified');
    await attachBehaviour(bStore, { behaviour: 'careful' });
    await writeFile(file(A, 'f.txt'), 'v2\n');
    await set.sync(A, B);
    await decideAsks(bStore, [{ peer: idOf(A), path: 'f.txt' }], 'import');
    await writeFile(file(A, 'f.txt'), 'v3, not what was decided\n');
    const [, rb] = await set.sync(A, B);
    assert.equal(rb.deferred.length, 1);
    assert.equal(await read(B, 'f.txt'), 'v1\n');
    const [item] = await loadAskQueue(bStore);
    assert.equal(item?.decision, undefined);
  });

  it('a path no longer asked about leaves the queue (resolved another way)', async () => {
    await baseline({ 'f.txt': 'v1\n' });
    const bStore = set.replicas[B]!.store;
    await defineBehaviour(bStore, 'careful', 'ask if remote_modified');
    await attachBehaviour(bStore, { behaviour: 'careful', path: 'f.txt' });
    await writeFile(file(A, 'f.txt'), 'v2\n');
    await set.sync(A, B);
    assert.equal((await loadAskQueue(bStore)).length, 1);
    await detachBehaviour(bStore, { path: 'f.txt' });
    await set.sync(A, B);
    assert.equal(await read(B, 'f.txt'), 'v2\n');
    assert.deepEqual(await loadAskQueue(bStore), []);
  });

  it('ignore counts as synced (not offered again); ignore_once is offered again', async () => {
    await baseline({ 'perm.txt': '1\n', 'once.txt': '1\n' });
    const bStore = set.replicas[B]!.store;
    await defineBehaviour(bStore, 'skip', 'ignore if remote_modified');
    await defineBehaviour(bStore, 'skip_once', 'ignore_once if remote_modified');
    await attachBehaviour(bStore, { behaviour: 'skip', path: 'perm.txt' });
    await writeFile(file(A, 'perm.txt'), '2\n');
    const [, first] = await set.sync(A, B);
    assert.deepEqual(first.deferred.map((d) => d.command), ['ignore']);
    const [, second] = await set.sync(A, B);
    assert.equal(second.received, 0, 'a permanent ignore is sealed');

    await attachBehaviour(bStore, { behaviour: 'skip_once', path: 'once.txt' });
    await writeFile(file(A, 'once.txt'), '2\n');
    await set.sync(A, B);
    const [, again] = await set.sync(A, B);
    assert.ok(again.received >= 1, 'ignore_once: offered again');
    assert.equal(await read(B, 'once.txt'), '1\n');
    await detachBehaviour(bStore, { path: 'once.txt' });
    await set.sync(A, B);
    assert.equal(await read(B, 'once.txt'), '2\n', 'once the behaviour is gone, the held-back change arrives');
    assert.equal(await read(B, 'perm.txt'), '1\n');
  });

  it('a folder attachment stored as the replica ID applies to the session folder; peers by ID', async () => {
    await baseline({ 'x.txt': 'base\n' });
    const bStore = set.replicas[B]!.store;
    await attachBehaviour(bStore, { behaviour: 'mirror', folder: idOf(B) });
    await attachBehaviour(bStore, { behaviour: 'keep_both', peer: 'someone-else' });
    await writeFile(file(B, 'x.txt'), 'local edit on B\n');
    await writeFile(file(A, 'x.txt'), 'edit on A\n');
    await set.replicas[A]!.scan();
    await set.replicas[B]!.scan();
    const report = await syncLocal(set.replicas);
    assert.equal(report.converged, true);
    assert.equal(await read(B, 'x.txt'), 'edit on A\n');
    assert.ok((await trashContents(set.roots[B]!)).includes('local edit on B\n'), 'what mirror reverts goes to the trash');
  });
});

describe('replicas with behaviours on one or both sides still converge (randomized)', function () {
  this.timeout(300_000);
  const PATHS = ['a', 'b.txt', 'd/x', 'd/y'];
  const CONFIGS = {
    // B follows A: A's side claims its changes, B's side takes them.
    masterPair: [['local_is_master'], ['remote_is_master']],
    mirrorPair: [['local_is_master'], ['mirror']],
    newestWins: [['newest_wins'], ['newest_wins']],
    keepBoth: [['keep_both'], ['keep_both']],
    // Only one side has behaviours; the other plans by default.
    followerOnly: [[], ['remote_is_master']],
    mirrorOnly: [[], ['mirror']],
    newestWinsOnly: [[], ['newest_wins']],
    bothMaster: [['local_is_master'], ['local_is_master']],
    bothFollow: [['remote_is_master'], ['remote_is_master']],
  } as const;
  type Op = { k: 'write'; r: number; p: string } | { k: 'delete'; r: number; p: string } | { k: 'sync' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('write' as const), r: fc.integer({ min: 0, max: 1 }), p: fc.constantFrom(...PATHS) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('delete' as const), r: fc.integer({ min: 0, max: 1 }), p: fc.constantFrom(...PATHS) }) },
    { weight: 2, arbitrary: fc.constant({ k: 'sync' as const }) },
  );
  const runs = Math.max(4, Math.round(Number(process.env.SYNCLINE_MODEL_RUNS ?? 100) / 5));

  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`${name}: converged and identical after any history`, async () => {
      let counter = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
          const set = await makeReplicas(2);
          try {
            for (const r of [0, 1]) {
              for (const behaviour of config[r]!) {
                await attachBehaviour(set.replicas[r]!.store, { behaviour, peer: set.replicas[1 - r]!.id });
              }
            }
            for (const op of ops) {
              if (op.k === 'sync') {
                for (const r of set.replicas) await r.scan();
                await syncLocal(set.replicas);
                continue;
              }
              const abs = path.join(set.roots[op.r]!, op.p);
              if (op.k === 'delete') {
                await rm(abs, { recursive: true, force: true });
                continue;
              }
              await mkdir(path.dirname(abs), { recursive: true }).catch(() => undefined);
              if (await lstat(abs).then((s) => s.isDirectory(), () => false)) continue;
              await writeFile(abs, `v${++counter}\n`).catch(() => undefined);
            }
            for (const r of set.replicas) await r.scan();
            const report = await syncLocal(set.replicas);
            assert.equal(report.converged, true, 'converged');
            assert.deepEqual(report.problems, []);
            assert.deepEqual(await filesUnder(set.roots[1]!), await filesUnder(set.roots[0]!), 'identical');
          } finally {
            await set.close();
          }
        }),
        { numRuns: runs },
      );
    });
  }
});
