import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../../test/helpers/tmp.js';
import {
  initVectorTree,
  readVectorTreeMetadata,
  scanVectorTree,
  syncVectorTrees,
  VectorJournalMismatchError,
  VectorReplacementInterruptedError,
  VectorSourceChangedError,
  type VectorReplaceHook,
  type VectorReplaceStep,
} from '../src/vector-tree/index.js';

/** Files both trees hold after their first sync. */
const COMMON = {
  'keep.txt': 'same',
  'edit.txt': 'v1',
  'gone.txt': 'bye',
  t: 't as a file',
  'd/inner/x': 'x',
  'sub/deep/old.txt': 'old',
};
/** A's files after its edits: a change, deletions, a file that became a directory and the reverse, new files. */
const CHANGED_A = {
  'keep.txt': 'same',
  'edit.txt': 'v2',
  't/inside': 'now a directory',
  d: 'now a file',
  'sub/new.txt': 'new',
  'added/n.txt': 'n',
};
/** What B loses to the trash when A replaces it. */
const B_TRASHED = { 'edit.txt': 'v1', 'gone.txt': 'bye', t: 't as a file', 'd/inner/x': 'x', 'sub/deep/old.txt': 'old' };

type Event = `${VectorReplaceStep}:${string}`;
class Interrupt extends Error {}

describe('vector trees: replacing a tree safely', () => {
  let parent: string;
  let a: string;
  let b: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir: parent, cleanup } = await tempDir());
    a = path.join(parent, 'a');
    b = path.join(parent, 'b');
    await writeTree(a, COMMON);
    await writeTree(b, COMMON);
    await initVectorTree('A', a);
    await initVectorTree('B', b);
    assert.equal((await syncVectorTrees(a, b)).action, 'none');
    await rm(a, { recursive: true });
    await writeTree(a, CHANGED_A);
    await writeFile(path.join(a, '.vector-sync'), (await readVectorTreeMetadata(b)).text.replace('"id": "B"', '"id": "A"'));
  });
  afterEach(() => cleanup());

  /** B holds A's files, both metadata files record them with {A:2, B:1}, old versions sit in one trash bucket, nothing else is left. */
  async function assertReplacedCorrectly(): Promise<void> {
    assert.deepEqual(await readTree(b), CHANGED_A);
    assert.deepEqual(await readTree(a), CHANGED_A);
    const files = await scanVectorTree(a);
    for (const [dir, id] of [[a, 'A'], [b, 'B']] as const) {
      assert.deepEqual((await readVectorTreeMetadata(dir)).metadata, { id, version_vector: { A: 2, B: 1 }, file_hashes: files });
    }
    assert.deepEqual((await readdir(parent)).sort(), ['.b.vector-sync-trash', 'a', 'b']);
    const buckets = await readdir(path.join(parent, '.b.vector-sync-trash'));
    assert.equal(buckets.length, 1);
    assert.deepEqual(await readTree(path.join(parent, '.b.vector-sync-trash', buckets[0] as string)), B_TRASHED);
    assert.equal((await syncVectorTrees(a, b)).action, 'none');
  }

  async function recordEvents(): Promise<Event[]> {
    const events: Event[] = [];
    const outcome = await syncVectorTrees(a, b, { hook: (step, p) => void events.push(`${step}:${p ?? ''}`) });
    assert.equal(outcome.action, 'replaced');
    return events;
  }

  it('replaces B by A: B gets A files, its old versions go to the trash, both metadata files record the join', async () => {
    const outcome = await syncVectorTrees(a, b, { now: () => new Date('2025-03-04T05:06:07.089Z') });
    assert.equal(outcome.action, 'replaced');
    assert.ok(outcome.action === 'replaced');
    assert.equal(outcome.replaced, 'b');
    assert.deepEqual(outcome.joined, { A: 2, B: 1 });
    assert.deepEqual([outcome.written, outcome.removed], [5, 4]);
    assert.deepEqual(outcome.a, { path: a, id: 'A', changed: true, vector: { A: 2, B: 1 }, files: 6 });
    assert.deepEqual(outcome.b, { path: b, id: 'B', changed: false, vector: { A: 1, B: 1 }, files: 6 });
    assert.match(outcome.trash ?? '', /\/\.b\.vector-sync-trash\/2025-03-04T050607\.089Z-[0-9a-f]{8}$/);
    await assertReplacedCorrectly();
  });

  it('passes its steps in order: stage, journal, trash, prune, install, metadata, clean up', async () => {
    const steps = (await recordEvents()).map((e) => e.slice(0, e.indexOf(':')));
    const collapsed = steps.filter((s, i) => s !== steps[i - 1]);
    assert.deepEqual(collapsed, [
      'staging', 'staged', 'journal-written', 'trashed', 'trash-done', 'pruned', 'installed', 'install-done',
      'target-metadata-written', 'source-metadata-written', 'staging-removed', 'journal-removed',
    ]);
    assert.equal(steps.filter((s) => s === 'trashed').length, 5);
    assert.equal(steps.filter((s) => s === 'installed').length, 5);
  });

  describe('interrupted at any step, then run again', () => {
    // The sequence of events is the same on every fresh fixture; record it once.
    let events: Event[] = [];
    before(async () => {
      const { dir, cleanup: done } = await tempDir();
      try {
        const [x, y] = [path.join(dir, 'a'), path.join(dir, 'b')];
        await writeTree(x, COMMON);
        await writeTree(y, COMMON);
        await initVectorTree('A', x);
        await initVectorTree('B', y);
        await syncVectorTrees(x, y);
        await rm(x, { recursive: true });
        await writeTree(x, CHANGED_A);
        await writeFile(path.join(x, '.vector-sync'), (await readVectorTreeMetadata(y)).text.replace('"id": "B"', '"id": "A"'));
        await syncVectorTrees(x, y, { hook: (step, p) => void events.push(`${step}:${p ?? ''}`) });
      } finally {
        await done();
      }
    });

    // 5 staged files, 5 trashed, 5 installed and 9 single steps; the loop below covers each one.
    const EVENT_COUNT = 24;
    it(`the fixture passes ${EVENT_COUNT} distinct events`, () => {
      assert.equal(events.length, EVENT_COUNT);
      assert.equal(new Set(events).size, EVENT_COUNT);
    });

    for (let i = 0; i < EVENT_COUNT; i++) {
      it(`event #${i}: the next run finishes the replacement and nothing is lost`, async () => {
        const event = events[i] as Event;
        const beforeJournal = events.indexOf('journal-written:') > i;
        await assert.rejects(syncVectorTrees(a, b, { hook: interruptAt(event) }), (err: unknown) => {
          if (beforeJournal) assert.ok(err instanceof Interrupt, String(err));
          else assert.ok(err instanceof VectorReplacementInterruptedError && err.cause instanceof Interrupt, String(err));
          return true;
        });
        const again = await syncVectorTrees(a, b);
        if (beforeJournal) assert.equal(again.action, 'replaced');
        else if (event !== 'journal-removed:') {
          assert.equal(again.action, 'none');
          assert.equal(again.recovered.length, 1);
          assert.equal(again.recovered[0]?.completed?.source, a);
        }
        await assertReplacedCorrectly();
      });

      it(`event #${i}, and the recovery interrupted too: a third run finishes it`, async () => {
        await assert.rejects(syncVectorTrees(a, b, { hook: interruptAt(events[i] as Event) }));
        let first: string | undefined;
        const interruptFirst: VectorReplaceHook = (step, p) => {
          first ??= `${step}:${p ?? ''}`;
          throw new Interrupt(first);
        };
        await syncVectorTrees(a, b, { hook: interruptFirst }).catch(() => undefined);
        await syncVectorTrees(a, b);
        await assertReplacedCorrectly();
      });
    }
  });

  it('keeps an entry that appeared at a replaced path between the runs (trash, numbered)', async () => {
    await assert.rejects(syncVectorTrees(a, b, { hook: interruptAt('trash-done:') }));
    await writeFile(path.join(b, 'edit.txt'), 'written by the user meanwhile');
    const again = await syncVectorTrees(a, b);
    const notes = again.recovered[0]?.completed?.notes ?? [];
    assert.equal(notes.length, 1);
    assert.match(notes[0] as string, /edit\.txt appeared during the replacement; moved to .*\/edit\.txt\.1$/);
    assert.deepEqual(await readTree(b), CHANGED_A);
    const trashRoot = path.join(parent, '.b.vector-sync-trash');
    const [bucket] = await readdir(trashRoot);
    assert.deepEqual(await readTree(path.join(trashRoot, bucket as string)), {
      ...B_TRASHED,
      'edit.txt.1': 'written by the user meanwhile',
    });
  });

  it('does not resume a journal when the directory no longer holds the tree it was written for', async () => {
    await assert.rejects(syncVectorTrees(a, b, { hook: interruptAt('trash-done:') }));
    await writeFile(path.join(b, '.vector-sync'), '{"id": "Other", "version_vector": {}, "file_hashes": {}}\n');
    const before = await readTree(b);
    await assert.rejects(syncVectorTrees(a, b), (err: unknown) => {
      assert.ok(err instanceof VectorJournalMismatchError);
      assert.match(err.message, /^.*\/\.b\.vector-sync-journal records an interrupted replacement of .*\/b, but .*\/b\/\.vector-sync no longer matches it/);
      return true;
    });
    assert.deepEqual(await readTree(b), before);
    assert.ok((await readdir(parent)).includes('.b.vector-sync-journal'));
  });

  it('stops before touching the target when the source changes while it is copied', async () => {
    const hook: VectorReplaceHook = async (step, p) => {
      if (step === 'staging' && p === 'edit.txt') await writeFile(path.join(a, 'edit.txt'), 'v3, mid-copy');
    };
    await assert.rejects(syncVectorTrees(a, b, { hook }), (err: unknown) => {
      assert.ok(err instanceof VectorSourceChangedError);
      assert.match(err.message, new RegExp(`^${path.join(a, 'edit.txt')} changed while it was being copied; nothing was replaced`));
      return true;
    });
    assert.deepEqual(await readTree(b), COMMON);
    assert.deepEqual((await readdir(parent)).sort(), ['a', 'b']);
    const outcome = await syncVectorTrees(a, b);
    assert.equal(outcome.action, 'replaced');
    assert.equal(await readFile(path.join(b, 'edit.txt'), 'utf8'), 'v3, mid-copy');
  });

  it('drops a staging directory left by a run killed before its journal, saying so', async () => {
    const leftover = path.join(parent, '.b.vector-sync-staging-0123456789ab');
    await writeTree(leftover, { 'edit.txt': 'half' });
    const outcome = await syncVectorTrees(a, b);
    assert.deepEqual(outcome.recovered, [{ tree: b, completed: null, removedStaging: [leftover] }]);
    await assertReplacedCorrectly();
  });
});

function interruptAt(event: Event): VectorReplaceHook {
  return (step, p) => {
    if (`${step}:${p ?? ''}` === event) throw new Interrupt(`interrupted at ${event}`);
  };
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
}

/** Every file under root but the root's .vector-sync, by relative path. */
async function readTree(root: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (p === '.vector-sync') continue;
    if (entry.isDirectory()) Object.assign(out, await readTree(root, p));
    else out[p] = await readFile(path.join(root, p), 'utf8');
  }
  return out;
}
