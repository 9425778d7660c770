import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChunkRef, EntryKind, FileRecord } from '@syncline/core';
import { tempDir } from '../../../test/helpers/tmp.js';
import { openStore, SeqMismatchError, type ChunkLocation, type IndexEntry, type LevelStore, type PathStamp } from '../src/index.js';
import { chunk, collect, record, stamp } from './records.js';

// Paths chosen to trip ordering and prefix bugs: '!' and '.' sort before '/', a surrogate
// pair sorts before U+FF21 in UTF-16 but after it in code-point (UTF-8) order.
const PATHS = ['a', 'a/b', 'a/b/c', 'a.txt', 'a!b', 'ab', 'b', 'B', 'é', '😀', 'Ａ', 'z/😀', 'z/Ａ'];
const UNDER = ['a', 'a/b', 'z', 'b', 'nothing'];
const CHUNKS = ['c0', 'c1', 'c2', 'c3', 'c4'].map((name, i) => chunk(name, i + 1));

interface Op {
  path: string;
  kind: EntryKind;
  deleted: boolean;
  chunks: ChunkRef[];
  /** In place: reuse the seq the path holds at this point (a new change when it holds none). */
  inPlace: boolean;
}

interface Commit {
  ops: Op[];
  /** Append an in-place update with a wrong seq: the whole commit must be refused. */
  stale: boolean;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  path: fc.constantFrom(...PATHS),
  kind: fc.constantFrom<EntryKind>('file', 'file', 'dir', 'symlink'),
  deleted: fc.boolean(),
  chunks: fc.array(fc.constantFrom(...CHUNKS), { maxLength: 4 }),
  inPlace: fc.boolean(),
});
const commitArb: fc.Arbitrary<Commit> = fc.record({
  ops: fc.array(opArb, { minLength: 1, maxLength: 6 }),
  stale: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

/** The store's documented semantics, spelled out on a Map: a commit is its entries applied in order. */
class Model {
  readonly entries = new Map<string, IndexEntry>();
  lastSeq = 0;

  /** Returns the records as written, or throws like the store would (and then changes nothing). */
  commit(entries: readonly IndexEntry[]): FileRecord[] {
    const next = new Map(this.entries);
    let seq = this.lastSeq;
    const written = entries.map(({ record: r, stat }) => {
      const held = next.get(r.path)?.record.seq;
      if (r.seq !== 0 && r.seq !== held) throw new SeqMismatchError(r.path, r.seq, held);
      const out = r.seq === 0 ? { ...r, seq: ++seq } : r;
      next.set(r.path, { record: out, stat });
      return out;
    });
    this.entries.clear();
    for (const [p, e] of next) this.entries.set(p, e);
    this.lastSeq = seq;
    return written;
  }

  sortedEntries(under?: string): IndexEntry[] {
    return [...this.entries.keys()]
      .filter((p) => under === undefined || p === under || p.startsWith(`${under}/`))
      .sort() // UTF-16 code-unit order
      .map((p) => this.entries.get(p) as IndexEntry);
  }

  changes(): FileRecord[] {
    return [...this.entries.values()].map((e) => e.record).sort((x, y) => x.seq - y.seq);
  }

  chunkLocations(hash: string): ChunkLocation[] {
    const out: ChunkLocation[] = [];
    for (const { record: r } of this.sortedEntries()) {
      if (r.kind !== 'file' || r.deleted) continue;
      let offset = 0;
      for (const c of r.chunks) {
        if (c.hash === hash) {
          out.push({ path: r.path, offset, size: c.size });
          break;
        }
        offset += c.size;
      }
    }
    return out;
  }
}

function entryFor(op: Op, seq: number, version: number): IndexEntry {
  const r = record(op.path, { kind: op.kind, deleted: op.deleted, chunks: op.chunks, seq, version });
  return { record: r, stat: r.deleted ? null : stamp(r.size, version) };
}

const stampOf = ({ record, stat }: IndexEntry): PathStamp => ({ path: record.path, kind: record.kind, deleted: record.deleted, stat });

async function assertSameState(store: LevelStore, model: Model): Promise<void> {
  assert.equal(store.lastSeq(), model.lastSeq);
  assert.deepEqual(await collect(store.entries()), model.sortedEntries());
  for (const under of UNDER) assert.deepEqual(await collect(store.entries({ under })), model.sortedEntries(under), `under ${under}`);
  assert.deepEqual((await collect(store.stamps())).flat(), model.sortedEntries().map(stampOf));
  for (const under of UNDER) assert.deepEqual((await collect(store.stamps({ under }))).flat(), model.sortedEntries(under).map(stampOf), `stamps under ${under}`);
  const held = (p: string) => model.entries.get(p);
  assert.deepEqual(await store.stampsOf([...PATHS, 'nothing']), [...PATHS, 'nothing'].map((p) => (held(p) ? stampOf(held(p)!) : undefined)));
  const changes = model.changes();
  assert.deepEqual(await store.changesSince(0, 1000), changes);
  const paged: FileRecord[] = [];
  for (let page = await store.changesSince(0, 3); page.length > 0; page = await store.changesSince(page.at(-1)?.seq ?? 0, 3)) {
    paged.push(...page);
  }
  assert.deepEqual(paged, changes, 'paging with limit 3 gives the same sequence');
  for (const c of CHUNKS) assert.deepEqual(await store.findChunk(c.hash), model.chunkLocations(c.hash), `chunk ${c.hash}`);
  const found = await store.findChunks([...CHUNKS.map((c) => c.hash), chunk('never', 1).hash]);
  const expected = CHUNKS.map((c) => [c.hash, model.chunkLocations(c.hash)] as const).filter(([, locations]) => locations.length > 0);
  assert.deepEqual(new Map([...found].sort()), new Map(expected.sort()), 'findChunks agrees with findChunk (chunk counts in step)');
  for (const path of PATHS) {
    const wanted = CHUNKS.map((c) => ({ hash: c.hash, path }));
    const expectedIn = CHUNKS.map((c) => model.chunkLocations(c.hash).find((l) => l.path === path));
    assert.deepEqual(await store.chunksIn(wanted), expectedIn, `chunksIn ${path}`);
  }
}

describe('LevelStore against an in-memory model (property)', () => {
  it('gives the same entries, change log and chunk index after random commits, also after reopen', async () => {
    const seed = Number(process.env.SYNCLINE_SEED ?? Date.now());
    console.log(`      store model property: seed ${seed} (rerun with SYNCLINE_SEED=${seed})`);
    const property = fc.asyncProperty(fc.array(commitArb, { minLength: 1, maxLength: 8 }), async (commits) => {
      const { dir, cleanup } = await tempDir('syncline-store-prop-');
      let store = await openStore(dir);
      try {
        const model = new Model();
        let version = 0;
        for (const { ops, stale } of commits) {
          // The seq each path holds as the commit proceeds, so that in-place updates can
          // also follow a new change to the same path within the same commit.
          const held = new Map<string, number>();
          let nextSeq = model.lastSeq;
          const entries = ops.map((op) => {
            const seq = op.inPlace ? (held.get(op.path) ?? model.entries.get(op.path)?.record.seq ?? 0) : 0;
            held.set(op.path, seq === 0 ? ++nextSeq : seq);
            return entryFor(op, seq, ++version);
          });
          if (stale) entries.push(entryFor({ ...ops[0]!, inPlace: true }, model.lastSeq + 100, ++version));
          let expected: FileRecord[] | Error;
          try {
            expected = model.commit(entries);
          } catch (err) {
            expected = err as Error;
          }
          if (expected instanceof Error) {
            await assert.rejects(store.commit(entries), SeqMismatchError);
          } else {
            assert.deepEqual(await store.commit(entries), expected);
          }
        }
        await assertSameState(store, model);
        await store.close();
        store = await openStore(dir);
        await assertSameState(store, model);
      } finally {
        await store.close();
        await cleanup();
      }
    });
    await fc.assert(property, { seed, numRuns: 25, verbose: true });
  });
});
