import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPLICA_ID_RE, SchemaError, type FileRecord } from '@syncline/core';
import { tempDir } from '../../../test/helpers/tmp.js';
import {
  LevelStore,
  openStore,
  SeqMismatchError,
  StoreClosedError,
  StoreOpenError,
  storeDir,
  type SyncObject,
} from '../src/index.js';
import { change, chunk, collect, record, stamp } from './records.js';

const PEER = 'bbbbbbbbbbbbb';
const OTHER_PEER = 'ccccccccccccc';

const paths = (records: readonly FileRecord[]) => records.map((r) => r.path);
const pathSeqs = (records: readonly FileRecord[]) => records.map((r) => [r.path, r.seq]);

describe('LevelStore', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: LevelStore;

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('syncline-store-'));
    store = await openStore(root);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  async function reopen(): Promise<LevelStore> {
    await store.close();
    store = await openStore(root);
    return store;
  }

  describe('open', () => {
    it('creates the database under <root>/.syncline/db with a new replica ID and seq 0', async () => {
      assert.equal(store.dbDir, path.join(root, '.syncline', 'db'));
      assert.equal(storeDir(root), store.dbDir);
      assert.ok((await stat(store.dbDir)).isDirectory());
      assert.match(store.replicaId, REPLICA_ID_RE);
      assert.equal(store.lastSeq(), 0);
    });

    it('gives each new replica its own ID', async () => {
      const other = await tempDir('syncline-store-');
      try {
        const second = await openStore(other.dir);
        assert.notEqual(second.replicaId, store.replicaId);
        await second.close();
      } finally {
        await other.cleanup();
      }
    });

    it('refuses a replica root that does not exist, without creating it', async () => {
      const missing = path.join(root, 'missing');
      await assert.rejects(openStore(missing), (err: unknown) => {
        assert.ok(err instanceof StoreOpenError);
        assert.equal(err.code, 'SYNCLINE_STORE_OPEN');
        assert.match(err.message, /missing/);
        return true;
      });
      await assert.rejects(stat(missing), { code: 'ENOENT' });
    });

    it('refuses a replica root that is a file', async () => {
      const file = path.join(root, 'file');
      await writeFile(file, 'x');
      await assert.rejects(openStore(file), { code: 'SYNCLINE_STORE_OPEN', message: /not a directory/ });
    });

    it('turns a LevelDB failure into StoreOpenError with the cause chained', async () => {
      const other = await tempDir('syncline-store-');
      try {
        await mkdir(path.join(other.dir, '.syncline'));
        await writeFile(path.join(other.dir, '.syncline', 'db'), 'not a directory');
        await assert.rejects(openStore(other.dir), (err: unknown) => {
          assert.ok(err instanceof StoreOpenError);
          assert.ok(err.cause instanceof Error);
          assert.ok(err.message.includes(path.join(other.dir, '.syncline', 'db')));
          return true;
        });
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('persistence', () => {
    it('keeps records, stats, seq, replica ID, meta and sync objects across reopen', async () => {
      const id = store.replicaId;
      const syncObject: SyncObject = { id: 'sync-1', hlc: { t: 10, c: 1 }, seqs: { [id]: 2, [PEER]: 7 } };
      await store.commit([change('a.txt', { chunks: [chunk('x', 10)] }), change('dir', { kind: 'dir' })]);
      await store.setMeta('behaviour', { name: 'default', rules: ['a', 'b'] });
      await store.putSyncObject(syncObject);

      await reopen();
      assert.equal(store.replicaId, id);
      assert.equal(store.lastSeq(), 2);
      const a = await store.get('a.txt');
      assert.deepEqual(a, { record: record('a.txt', { chunks: [chunk('x', 10)], seq: 1 }), stat: stamp(10) });
      assert.deepEqual((await store.get('dir'))?.record, record('dir', { kind: 'dir', seq: 2 }));
      assert.deepEqual(await store.getMeta('behaviour'), { name: 'default', rules: ['a', 'b'] });
      assert.deepEqual(await store.syncObjects(PEER), [syncObject]);
      assert.deepEqual(await store.findChunk(chunk('x', 10).hash), [{ path: 'a.txt', offset: 0, size: 10 }]);

      const [next] = await store.commit([change('b.txt')]);
      assert.equal(next?.seq, 3, 'numbering continues after reopen');
    });
  });

  describe('commit and the change log', () => {
    it('assigns the next seqs in array order and returns the records as written', async () => {
      const written = await store.commit([change('c'), change('a'), change('b')]);
      assert.deepEqual(pathSeqs(written), [['c', 1], ['a', 2], ['b', 3]]);
      assert.equal(store.lastSeq(), 3);
      assert.deepEqual((await store.get('a'))?.record, written[1]);
    });

    it('lists a path changed twice once, at its newest seq', async () => {
      await store.commit([change('a'), change('b'), change('c')]);
      await store.commit([change('a', { version: 2 })]);
      const changes = await store.changesSince(0, 100);
      assert.deepEqual(pathSeqs(changes), [['b', 2], ['c', 3], ['a', 4]]);
      assert.equal(changes[2]?.version[record('a').by], 2);
    });

    it('pages through changes in seq order with after and limit', async () => {
      await store.commit(['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => change(p)));
      assert.deepEqual(paths(await store.changesSince(0, 2)), ['p1', 'p2']);
      assert.deepEqual(paths(await store.changesSince(2, 2)), ['p3', 'p4']);
      assert.deepEqual(paths(await store.changesSince(4, 2)), ['p5']);
      assert.deepEqual(await store.changesSince(5, 2), []);
      assert.deepEqual(await store.changesSince(0, 0), []);
      await assert.rejects(store.changesSince(-1, 2), RangeError);
      await assert.rejects(store.changesSince(0, 1.5), RangeError);
    });

    it('updates an entry with a matching seq in place, without a new seq', async () => {
      await store.commit([change('a', { chunks: [chunk('x', 5)] }), change('b')]);
      const current = (await store.get('a'))?.record;
      assert.ok(current);
      const written = await store.commit([{ record: current, stat: stamp(5, 99) }]);
      assert.equal(written[0]?.seq, 1);
      assert.equal(store.lastSeq(), 2);
      assert.deepEqual((await store.get('a'))?.stat, stamp(5, 99));
      assert.deepEqual(pathSeqs(await store.changesSince(0, 10)), [['a', 1], ['b', 2]]);
      assert.deepEqual(await store.findChunk(chunk('x', 5).hash), [{ path: 'a', offset: 0, size: 5 }]);
    });

    it('rejects an in-place update whose seq is stale, and writes nothing of that commit', async () => {
      await store.commit([change('a')]);
      await store.commit([change('a', { version: 2 })]);
      const attempt = store.commit([change('new'), { record: record('a', { seq: 1, version: 3 }), stat: null }]);
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(err instanceof SeqMismatchError);
        assert.equal(err.code, 'SYNCLINE_STORE_SEQ_MISMATCH');
        assert.match(err.message, /"a".*seq 1.*seq 2/);
        return true;
      });
      assert.equal(await store.get('new'), undefined);
      assert.equal(store.lastSeq(), 2);
      assert.equal((await store.get('a'))?.record.version[record('a').by], 2);
      const [next] = await store.commit([change('later')]);
      assert.equal(next?.seq, 3, 'a failed commit uses up no seqs');
    });

    it('rejects an in-place update of a path it does not hold', async () => {
      await assert.rejects(store.commit([{ record: record('ghost', { seq: 4 }), stat: null }]), SeqMismatchError);
    });

    it('lets the last of duplicate paths in one commit win, as if committed one after the other', async () => {
      const written = await store.commit([
        change('a', { chunks: [chunk('old', 3)] }),
        change('b'),
        change('a', { version: 2, chunks: [chunk('new', 4)] }),
      ]);
      assert.deepEqual(pathSeqs(written), [['a', 1], ['b', 2], ['a', 3]]);
      assert.deepEqual((await store.get('a'))?.record, written[2]);
      assert.deepEqual(pathSeqs(await store.changesSince(0, 10)), [['b', 2], ['a', 3]]);
      assert.deepEqual(await store.findChunk(chunk('old', 3).hash), []);
      assert.deepEqual(await store.findChunk(chunk('new', 4).hash), [{ path: 'a', offset: 0, size: 4 }]);
    });

    it('checks in-place duplicates against the seq given earlier in the same commit', async () => {
      await store.commit([change('a')]);
      await assert.rejects(store.commit([change('a', { version: 2 }), { record: record('a', { seq: 1 }), stat: null }]), SeqMismatchError);
      const written = await store.commit([change('a', { version: 2 }), { record: record('a', { seq: 2, version: 3 }), stat: null }]);
      assert.deepEqual(pathSeqs(written), [['a', 2], ['a', 2]]);
      assert.equal((await store.get('a'))?.record.version[record('a').by], 3);
    });

    it('rejects a malformed record before writing anything', async () => {
      const bad = { ...record('x'), size: -1 };
      await assert.rejects(store.commit([change('ok'), { record: bad, stat: null }]), SchemaError);
      await assert.rejects(store.commit([{ record: { ...record('y'), path: '../escape' }, stat: null }]), SchemaError);
      assert.equal(await store.get('ok'), undefined);
      assert.equal(store.lastSeq(), 0);
    });

    it('keeps tombstones in the index and the change log', async () => {
      await store.commit([change('a', { chunks: [chunk('x', 1)] })]);
      await store.commit([change('a', { deleted: true, version: 2 })]);
      const entry = await store.get('a');
      assert.equal(entry?.record.deleted, true);
      assert.equal(entry?.stat, null);
      assert.deepEqual(pathSeqs(await store.changesSince(0, 10)), [['a', 2]]);
    });

    it('writes the sync object and meta of a commit in the same batch', async () => {
      const syncObject: SyncObject = { id: 's', hlc: { t: 5, c: 0 }, seqs: { [store.replicaId]: 1, [PEER]: 3 } };
      await store.commit([change('a')], { syncObject, meta: { 'last-scan': 1234, gone: undefined } });
      assert.deepEqual(await store.syncObjects(PEER), [syncObject]);
      assert.equal(await store.getMeta('last-scan'), 1234);
    });

    it('hands out distinct seqs to concurrent commits', async () => {
      const results = await Promise.all([store.commit([change('a'), change('b')]), store.commit([change('c')]), store.commit([change('a', { version: 2 })])]);
      const seqs = results.flat().map((r) => r.seq).sort((x, y) => x - y);
      assert.deepEqual(seqs, [1, 2, 3, 4]);
      assert.deepEqual(pathSeqs(await store.changesSince(0, 10)), [['b', 2], ['c', 3], ['a', 4]]);
    });
  });

  describe('reading entries', () => {
    const tricky = ['a', 'a/b', 'a/b/c', 'a.txt', 'a!b', 'ab', 'b', 'B', 'é', 'z/😀', 'z/Ａ', '😀', 'Ａ', '\uE000'];

    it('iterates in UTF-16 string order, including characters outside the BMP', async () => {
      await store.commit(tricky.map((p) => change(p)));
      const got = (await collect(store.entries())).map((e) => e.record.path);
      assert.deepEqual(got, [...tricky].sort());
      // The case plain UTF-8 byte order gets wrong: a surrogate pair sorts before U+FF21.
      assert.ok(got.indexOf('😀') < got.indexOf('Ａ'));
    });

    it('with under, yields that path and the paths below it only', async () => {
      await store.commit(tricky.map((p) => change(p)));
      const under = async (u: string) => (await collect(store.entries({ under: u }))).map((e) => e.record.path);
      assert.deepEqual(await under('a'), ['a', 'a/b', 'a/b/c']);
      assert.deepEqual(await under('a/'), ['a', 'a/b', 'a/b/c']);
      assert.deepEqual(await under('a/b'), ['a/b', 'a/b/c']);
      assert.deepEqual(await under('z'), ['z/Ａ', 'z/😀'].sort(), 'yields children even when the directory has no record');
      assert.deepEqual(await under('nothing'), []);
      assert.deepEqual(await under(''), [...tricky].sort());
    });

    it('get and getMany return undefined for unknown paths', async () => {
      await store.commit([change('a'), change('b')]);
      const many = await store.getMany(['b', 'missing', 'a']);
      assert.deepEqual(many.map((e) => e?.record.path), ['b', undefined, 'a']);
      assert.equal(await store.get('missing'), undefined);
      assert.deepEqual(await store.getMany([]), []);
    });

    it('gives each path\'s stamp (kind, deleted, stat) in the same order and scope as entries', async () => {
      await store.commit([
        change('d', { kind: 'dir' }),
        { record: record('d/f', { chunks: [chunk('x', 3)] }), stat: { size: 3, mtimeMs: 1_700_000_000_123.456, ctimeMs: 1_700_000_000_789.5, ino: 2 ** 60 } },
        change('gone', { deleted: true }),
        change('l', { kind: 'symlink' }),
      ]);
      const stamps = (await collect(store.stamps())).flat();
      assert.deepEqual(stamps, [
        { path: 'd', kind: 'dir', deleted: false, stat: stamp(0) },
        { path: 'd/f', kind: 'file', deleted: false, stat: { size: 3, mtimeMs: 1_700_000_000_123.456, ctimeMs: 1_700_000_000_789.5, ino: 2 ** 60 } },
        { path: 'gone', kind: 'file', deleted: true, stat: null },
        { path: 'l', kind: 'symlink', deleted: false, stat: stamp(0) },
      ]);
      assert.deepEqual((await collect(store.stamps({ under: 'd/' }))).flat().map((s) => s.path), ['d', 'd/f']);
      await store.commit([{ record: (await store.get('d/f'))!.record, stat: stamp(3, 7) }]);
      assert.deepEqual((await collect(store.stamps({ under: 'd/f' }))).flat(), [{ path: 'd/f', kind: 'file', deleted: false, stat: stamp(3, 7) }], 'an in-place update refreshes the stamp');
    });

    it('stops iterating cleanly when the consumer breaks early', async () => {
      await store.commit(['a', 'b', 'c'].map((p) => change(p)));
      for await (const entry of store.entries()) {
        assert.equal(entry.record.path, 'a');
        break;
      }
      await store.close(); // would hang or fail if an iterator were left open
      store = await openStore(root);
    });
  });

  describe('chunk index', () => {
    const [x, y, z, w] = [chunk('x', 100), chunk('y', 50), chunk('z', 7), chunk('w', 9)] as const;

    it('records where each chunk of a live file lies, at the first offset of a repeated chunk', async () => {
      await store.commit([change('f', { chunks: [x, y, x, z] }), change('g', { chunks: [y] })]);
      assert.deepEqual(await store.findChunk(x.hash), [{ path: 'f', offset: 0, size: 100 }]);
      assert.deepEqual(await store.findChunk(y.hash), [
        { path: 'f', offset: 100, size: 50 },
        { path: 'g', offset: 0, size: 50 },
      ]);
      assert.deepEqual(await store.findChunk(z.hash), [{ path: 'f', offset: 250, size: 7 }]);
    });

    it('replaces the chunks of a changed file and drops those of a tombstone', async () => {
      await store.commit([change('f', { chunks: [x, y] }), change('g', { chunks: [y] })]);
      await store.commit([change('f', { version: 2, chunks: [w] })]);
      assert.deepEqual(await store.findChunk(x.hash), []);
      assert.deepEqual(await store.findChunk(y.hash), [{ path: 'g', offset: 0, size: 50 }]);
      assert.deepEqual(await store.findChunk(w.hash), [{ path: 'f', offset: 0, size: 9 }]);
      await store.commit([change('g', { version: 2, deleted: true, chunks: [y] })]);
      assert.deepEqual(await store.findChunk(y.hash), []);
    });

    it('indexes no chunks for directories and symlinks', async () => {
      await store.commit([change('d', { kind: 'dir', chunks: [x] }), change('l', { kind: 'symlink', chunks: [y] })]);
      assert.deepEqual(await store.findChunk(x.hash), []);
      assert.deepEqual(await store.findChunk(y.hash), []);
    });

    it('answers an impossible hash with no locations', async () => {
      assert.deepEqual(await store.findChunk('not-a-hash'), []);
      assert.deepEqual(await store.findChunks(['not-a-hash']), new Map());
      assert.deepEqual(await store.chunksIn([{ hash: 'not-a-hash', path: 'f' }]), [undefined]);
    });

    it('finds many chunks at once, and where each lies in a named file', async () => {
      await store.commit([change('f', { chunks: [x, y, x] }), change('g', { chunks: [y] })]);
      const found = await store.findChunks([y.hash, w.hash, x.hash, y.hash]);
      assert.deepEqual(
        [...found].sort(),
        [
          [x.hash, [{ path: 'f', offset: 0, size: 100 }]],
          [y.hash, [{ path: 'f', offset: 100, size: 50 }, { path: 'g', offset: 0, size: 50 }]],
        ].sort(),
      );
      assert.deepEqual(await store.chunksIn([{ hash: y.hash, path: 'g' }, { hash: x.hash, path: 'g' }, { hash: x.hash, path: 'f' }]), [
        { path: 'g', offset: 0, size: 50 },
        undefined,
        { path: 'f', offset: 0, size: 100 },
      ]);
      await store.commit([change('f', { version: 2, deleted: true })]);
      assert.deepEqual([...(await store.findChunks([x.hash, y.hash])).keys()], [y.hash]);
    });
  });

  describe('sync objects', () => {
    const so = (id: string, t: number, c: number, peer = PEER): SyncObject => ({ id, hlc: { t, c }, seqs: { [store.replicaId]: t, [peer]: c } });

    it('lists those shared with one peer, newest first by HLC', async () => {
      await store.putSyncObject(so('two', 20, 0));
      await store.putSyncObject(so('one', 10, 5));
      await store.putSyncObject(so('three', 20, 3));
      await store.putSyncObject(so('other', 30, 0, OTHER_PEER));
      assert.deepEqual((await store.syncObjects(PEER)).map((s) => s.id), ['three', 'two', 'one']);
      assert.deepEqual(await store.syncObjects(OTHER_PEER), [so('other', 30, 0, OTHER_PEER)]);
      assert.deepEqual(await store.syncObjects('dddddddddddd'), []);
      assert.deepEqual(await store.syncObjects(store.replicaId), [], 'never filed under the own ID');
    });

    it('files an object under every other replica it names', async () => {
      const three: SyncObject = { id: 'x', hlc: { t: 1, c: 0 }, seqs: { [store.replicaId]: 1, [PEER]: 2, [OTHER_PEER]: 3 } };
      await store.putSyncObject(three);
      assert.deepEqual(await store.syncObjects(PEER), [three]);
      assert.deepEqual(await store.syncObjects(OTHER_PEER), [three]);
    });

    it('refuses an object that does not name this replica, or is malformed', async () => {
      await assert.rejects(store.putSyncObject({ id: 'x', hlc: { t: 1, c: 0 }, seqs: { [PEER]: 1, [OTHER_PEER]: 2 } }), {
        name: 'SchemaError',
        message: new RegExp(store.replicaId),
      });
      await assert.rejects(store.putSyncObject({ id: '', hlc: { t: 1, c: 0 }, seqs: { [store.replicaId]: 1, [PEER]: 1 } }), SchemaError);
      await assert.rejects(store.putSyncObject({ id: 'x', hlc: { t: -1, c: 0 }, seqs: { [store.replicaId]: 1, [PEER]: 1 } }), SchemaError);
      assert.deepEqual(await store.syncObjects(PEER), []);
    });
  });

  describe('meta', () => {
    it('stores, overwrites and deletes small settings values', async () => {
      assert.equal(await store.getMeta('k'), undefined);
      await store.setMeta('k', { a: [1, 'two', null], b: true });
      assert.deepEqual(await store.getMeta('k'), { a: [1, 'two', null], b: true });
      await store.setMeta('k', 3);
      assert.equal(await store.getMeta('k'), 3);
      await store.setMeta('k', undefined);
      assert.equal(await store.getMeta('k'), undefined);
    });

    it('keeps settings apart from the store bookkeeping', async () => {
      await store.setMeta('replica-id', 'mine');
      await store.setMeta('last-seq', 99);
      const id = store.replicaId;
      await reopen();
      assert.equal(store.replicaId, id);
      assert.equal(store.lastSeq(), 0);
      assert.equal(await store.getMeta('replica-id'), 'mine');
    });
  });

  describe('close', () => {
    it('is idempotent, and afterwards every method throws StoreClosedError', async () => {
      const id = store.replicaId;
      await Promise.all([store.close(), store.close()]);
      await store.close();
      assert.equal(store.replicaId, id, 'the ID stays readable');
      const isClosedError = (err: unknown) => err instanceof StoreClosedError && err.code === 'SYNCLINE_STORE_CLOSED' && err.message.includes(store.dbDir);
      assert.throws(() => store.lastSeq(), isClosedError);
      assert.throws(() => store.entries(), isClosedError);
      const calls: (() => Promise<unknown>)[] = [
        () => store.get('a'),
        () => store.getMany(['a']),
        () => store.changesSince(0, 1),
        () => store.commit([change('a')]),
        () => store.syncObjects(PEER),
        () => store.putSyncObject({ id: 'x', hlc: { t: 1, c: 0 }, seqs: { [id]: 1, [PEER]: 1 } }),
        () => store.findChunk(chunk('x', 1).hash),
        () => store.getMeta('k'),
        () => store.setMeta('k', 1),
      ];
      for (const call of calls) await assert.rejects(call(), isClosedError);
    });

    it('finishes a commit that was queued before close', async () => {
      const pending = store.commit([change('a')]);
      await store.close();
      assert.equal((await pending)[0]?.seq, 1);
      store = await openStore(root);
      assert.equal((await store.get('a'))?.record.seq, 1);
    });

    it('can be opened again after close', async () => {
      await store.commit([change('a')]);
      await store.close();
      await store.open();
      assert.equal(store.lastSeq(), 1);
    });

    it('throws StoreClosedError before the first open', async () => {
      const unopened = new LevelStore(root);
      assert.throws(() => unopened.replicaId, StoreClosedError);
      await assert.rejects(unopened.get('a'), StoreClosedError);
      await unopened.close();
    });
  });
});
